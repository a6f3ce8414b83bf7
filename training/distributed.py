"""torch.distributed plumbing: one process per GPU (or CPU process) under ``torchrun``.

``torchrun --nproc_per_node N -m training.cli train ...`` sets ``RANK``/``WORLD_SIZE``/``LOCAL_RANK``;
``init_distributed`` joins the group (NCCL on CUDA, gloo on CPU). Without those variables it is a one-process
run and nothing is initialised. Multi-node: ``torchrun --nnodes M --node_rank K --rdzv_endpoint HOST:PORT``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

__all__ = ["DeviceChoice", "DistContext", "init_distributed", "shutdown", "broadcast_object", "InfiniteSampler"]

DeviceChoice = Literal["auto", "cpu", "cuda"]


@dataclass(frozen=True)
class DistContext:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def init_distributed(device: DeviceChoice = "auto") -> DistContext:
    """Join the process group if launched by torchrun, and pick this process's device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    dev = torch.device("cuda", local) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(dev)
    if world > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group(backend="nccl" if use_cuda else "gloo")
    return DistContext(rank=rank, world_size=world, local_rank=local, device=dev)


def shutdown() -> None:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def broadcast_object(obj: Any, ctx: DistContext) -> Any:
    """Rank 0's ``obj`` on every rank."""
    if not ctx.distributed:
        return obj
    box = [obj]
    torch.distributed.broadcast_object_list(box, src=0)
    return box[0]


class InfiniteSampler(torch.utils.data.Sampler[int]):
    """Endless shuffled indices; rank ``r`` of ``n`` takes every n-th index, so ranks see different images."""

    def __init__(self, size: int, rank: int = 0, num_replicas: int = 1, seed: int = 0) -> None:
        self.size = size
        self.rank = rank
        self.num_replicas = num_replicas
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng(self.seed)
        i = 0
        while True:
            for idx in rng.permutation(self.size):
                if i % self.num_replicas == self.rank:
                    yield int(idx)
                i += 1
