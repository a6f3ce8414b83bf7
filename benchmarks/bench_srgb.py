"""sRGB decoding of an 8192 px panorama, the formula written out against skyasset's (in place), and an HDR skybox.

    nice python benchmarks/bench_srgb.py [--repeats 5]

Prints the median seconds of each, measured in this one run, and the largest difference of the two decodings
(0: in place, the same float32 operations give the same values; the time saved is the page faults of four
full-size temporaries). Pause anything else running on the machine first: these are wall-clock times.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import skyasset
from skyasset.assets import hdr, skybox
from skyasset.assets.sphere import srgb_to_linear


def numpy_srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """The formula written out (what skyasset used before): four full-size temporaries."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4).astype(np.float32)


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    panorama = np.random.default_rng(0).random((4096, 8192, 3), dtype=np.float32)
    before = median_seconds(lambda: numpy_srgb_to_linear(panorama), args.repeats)
    after = median_seconds(lambda: srgb_to_linear(panorama), args.repeats)
    exact, fast = numpy_srgb_to_linear(panorama[:256]), srgb_to_linear(panorama[:256])
    largest = float(np.abs(exact - fast).max())
    print(f"srgb_to_linear 8192x4096: numpy {before:.3f} s, skyasset {after:.3f} s ({before / after:.1f}x)")
    print(f"largest difference: {largest:.1e}")
    gen = skyasset.SkyGenerator()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sky.png"

        def job() -> None:
            skyasset.generate("Cu", 7, out, size=8192, hdr=True, layout="faces", model=gen, force=True)

        job()  # warm-up
        times: dict[str, list[float]] = {"formula": [], "skyasset": []}
        for _ in range(max(1, args.repeats // 2)):  # paired: one job of each, in turn
            for name, decode in (("formula", numpy_srgb_to_linear), ("skyasset", srgb_to_linear)):
                hdr.srgb_to_linear = skybox.srgb_to_linear = decode
                times[name].append(median_seconds(job, 1))
        hdr.srgb_to_linear = skybox.srgb_to_linear = srgb_to_linear
    before, after = statistics.median(times["formula"]), statistics.median(times["skyasset"])
    print(f"generate --size 8192 --hdr --layout faces: formula {before:.2f} s, skyasset {after:.2f} s (medians)")


if __name__ == "__main__":
    main()
