"""Atomic PNG writer (8 or 16 bit) that stores metadata in text chunks."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from skyasset.atomic import atomic_output
from skyasset.errors import SkyassetError
from skyasset.limits import check_regular_file

__all__ = ["write_image", "read_png_text", "to_display_array"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _itxt(key: str, value: str) -> bytes:
    """An uncompressed iTXt chunk (UTF-8 text, keyword 1-79 Latin-1 characters).

    A file name that is not UTF-8 reaches here as surrogate escapes (``\\udcff``); they are written as that
    text, since the chunk must hold valid UTF-8."""
    text = value.encode("utf-8", "backslashreplace")
    return _chunk(b"iTXt", key.encode("latin-1", "backslashreplace")[:79] + b"\x00\x00\x00\x00\x00" + text)


def to_display_array(rgb: np.ndarray, bit_depth: Literal[8, 16] = 8) -> np.ndarray:
    """Quantise float [0, 1] (or pass through uint8/uint16) RGB to the integer type of ``bit_depth``."""
    arr = np.asarray(rgb)
    if bit_depth not in (8, 16):
        raise SkyassetError("invalid_argument", f"PNG bit depth must be 8 or 16, got {bit_depth}.")
    if arr.dtype == np.uint8:
        return arr if bit_depth == 8 else arr.astype(np.uint16) * 257
    if arr.dtype == np.uint16:
        return arr if bit_depth == 16 else (arr // 257).astype(np.uint8)
    top = 255.0 if bit_depth == 8 else 65535.0
    return (np.clip(arr.astype(np.float32), 0.0, 1.0) * top + 0.5).astype(np.uint8 if bit_depth == 8 else np.uint16)


def _metadata_chunks(metadata: dict[str, Any]) -> bytes:
    out = [_itxt("Software", "skyasset"), _itxt("skyasset", json.dumps(metadata, sort_keys=True, default=str))]
    for key, value in metadata.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        out.append(_itxt(f"skyasset:{key}", text))
    return b"".join(out)


def write_image(
    path: str | os.PathLike[str],
    rgb: np.ndarray,
    *,
    metadata: dict[str, Any] | None = None,
    force: bool = False,
    bit_depth: Literal[8, 16] = 8,
    compression: int = 3,
) -> Path:
    """Write an RGB (or grey) image as PNG, atomically, with ``metadata`` in iTXt text chunks.

    Parameters
    ----------
    path
        Target ``*.png``; an existing file is replaced only with ``force`` (else ``output_exists``).
    rgb
        ``[H, W, 3]`` or ``[H, W]``: float in [0, 1] (clipped), uint8 or uint16.
    metadata
        Stored as one ``skyasset`` chunk (JSON) plus one ``skyasset:<key>`` chunk per key.
    bit_depth
        8 or 16 bits per channel.
    compression
        zlib level 0-9 (3 is ~3x faster than 9 and ~10 % larger).
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        raise SkyassetError("invalid_argument", f"write_image writes PNG: name the file *.png, not {target.name}.")
    pixels = to_display_array(rgb, bit_depth)
    if pixels.ndim == 3 and pixels.shape[2] == 3:
        pixels = pixels[..., ::-1]  # OpenCV encodes BGR
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(pixels), [cv2.IMWRITE_PNG_COMPRESSION, compression])
    if not ok:
        raise SkyassetError("io_error", f"Could not encode {target.name} as PNG.")
    data = buf.tobytes()
    ihdr_end = len(_PNG_SIGNATURE) + 8 + 13 + 4  # IHDR is always first and 13 bytes long
    data = data[:ihdr_end] + _metadata_chunks(metadata or {}) + data[ihdr_end:]
    with atomic_output(target, force=force) as tmp:
        tmp.write_bytes(data)
    return target


def read_png_text(path: str | os.PathLike[str]) -> dict[str, str]:
    """The tEXt/iTXt chunks of a PNG as ``{keyword: text}`` (for tests and tools)."""
    check_regular_file(Path(path))
    data = Path(path).read_bytes()
    if not data.startswith(_PNG_SIGNATURE):
        raise SkyassetError("invalid_argument", f"{path} is not a PNG file.")
    pos, out = len(_PNG_SIGNATURE), {}
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt":
            key, _, text = body.partition(b"\x00")
            out[key.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\x00")
            flag = rest[0]
            _, _, rest = rest[2:].partition(b"\x00")  # language tag
            _, _, text = rest.partition(b"\x00")  # translated keyword
            out[key.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode("utf-8")
        elif kind == b"IEND":
            break
        pos += 12 + length
    return out
