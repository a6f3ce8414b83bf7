"""Issue 28, item 3: decoding an 8-bit PNG takes the decoded pixels plus one float32 RGB image (15 bytes per
pixel), not a float temporary per step (27 before), and the kind of an input is read from its header alone.
Measured in a fresh process, with tracemalloc (numpy reports its buffers to it) and the peak RSS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

_MEASURE = """
import json, resource, sys, tracemalloc
from pathlib import Path
from skyasset.convert import _read_image, detect_input_kind

path = Path(sys.argv[1])
detect_input_kind(path)  # warms the decoders up, so their one-off allocations are not counted below
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tracemalloc.start()
kind = detect_input_kind(path)
detect_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.reset_peak()
image = _read_image(path)
read_peak = tracemalloc.get_traced_memory()[1]
rss_rise = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base_rss
print(json.dumps({"kind": kind, "detect": detect_peak, "read": read_peak, "rss": rss_rise, "shape": image.shape}))
"""


def test_decoding_a_png_peaks_near_15_bytes_per_pixel(tmp_path: Path) -> None:
    width, height = 2048, 1024
    rng = np.random.default_rng(0)
    png = tmp_path / "pano.png"
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(png, compress_level=1)
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(png)], capture_output=True, text=True, timeout=120, check=True
    )
    answer = json.loads(result.stdout)
    pixels = width * height
    assert answer["kind"] == "equirect" and answer["shape"] == [height, width, 3]
    assert answer["detect"] < pixels  # the header only: no decoding to learn the aspect ratio
    assert answer["read"] / pixels < 16.0  # 3 (uint8 RGB) + 12 (float32 RGB); 27 before
    assert answer["rss"] / pixels < 20.0
