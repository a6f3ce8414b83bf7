"""One bundle measured in its own fresh process, and the parent's handle on that process.

The parent starts ``python -m skyasset.bench.model_worker MODEL CLOUD THREADS``; the child loads the bundle,
reports its size and load time, then answers timing commands from stdin, one JSON line each. Driving all
variants' workers in turn lets load drift on a shared machine hit every variant alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from skyasset.errors import CliErrorCode, SkyassetError

__all__ = ["BATCH", "ModelWorker", "serve"]

BATCH = 8


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process since it started running its own program.

    Linux's ``ru_maxrss`` survives ``execve``: a worker started by a parent that once held 6 GB reports
    6 GB. ``VmHWM`` belongs to the address space, which ``execve`` replaces, so it counts the worker alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def _answer(answer: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def serve(model: str, cloud: str | None, threads: int) -> None:
    """Child-process side: load one bundle, then answer timing commands from stdin, one JSON line each.

    Commands: ``b1 SEED`` and ``b8 SEED...`` (seconds per image), ``images PATH SEED...`` (save the images),
    ``stats`` (peak memory).
    """
    from skyasset.generator import SkyGenerator

    os.environ["SKYASSET_THREADS"] = str(threads)
    start = time.perf_counter()
    gen = SkyGenerator(model)
    load_s = time.perf_counter() - start
    if cloud is None and gen.bundle.c_dim:
        cloud = gen.classes[0].code
    gen.generate(cloud, 0)  # warm-up: first-run allocations and kernel selection
    _answer(
        {"name": gen.bundle.variant, "path": str(gen.bundle.path), "bytes": gen.bundle.total_bytes, "load_s": load_s}
    )
    for line in sys.stdin:
        command, *args = line.split()
        if command in ("b1", "b8"):
            seeds = [int(a) for a in args]
            t = time.perf_counter()
            gen.generate(cloud, seeds, batch_size=len(seeds))
            _answer({"s_per_image": (time.perf_counter() - t) / len(seeds)})
        elif command == "images":
            np.save(args[0], gen.generate(cloud, [int(a) for a in args[1:]], batch_size=BATCH))
            _answer({"saved": args[0]})
        else:
            _answer({"peak_rss_bytes": _peak_rss_bytes()})


class ModelWorker:
    """Parent-side handle of one measuring process; ``info`` is its first answer (name, path, bytes, load_s)."""

    def __init__(self, model: Path, cloud: str | None, threads: int) -> None:
        self.model = model
        self.process = subprocess.Popen(
            [sys.executable, "-m", "skyasset.bench.model_worker", str(model), json.dumps(cloud), str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.info = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            assert self.process.stderr is not None
            lines = self.process.stderr.read().strip().splitlines() or ["(no output)"]
            code: CliErrorCode = "bundle_invalid" if "SkyassetError" in lines[-1] else "internal_error"
            raise SkyassetError(code, f"Benchmarking {self.model} failed: {lines[-1]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]))
