"""Where bfloat16 pays on the CPU: only with native bf16 dot products (AVX512-BF16 or AMX).

Without them PyTorch emulates bf16 matrix products and a training step gets 40-500x slower, so ``auto`` never
turns bf16 on there. On CUDA the networks' own fp16 layers are used instead; bf16 autocast is CPU-only here.
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch

__all__ = ["cpu_has_native_bf16", "use_bf16"]

BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


@functools.lru_cache(maxsize=1)
def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU flags list AVX512-BF16 or AMX-BF16 (Linux ``/proc/cpuinfo``; False where unreadable)."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[-1].split())
            return any(flag in flags for flag in BF16_CPU_FLAGS)
    return False


def use_bf16(mode: str, device: torch.device) -> bool:
    """Resolve ``--bf16 auto|on|off`` for ``device``: 'on' is honoured on the CPU only."""
    if device.type != "cpu" or mode == "off":
        return False
    return mode == "on" or cpu_has_native_bf16()
