"""One zip of a sky's whole file set, made while it is sent: no copy of the set is kept on disk or in memory.

``zipfile`` writes to a stream it cannot seek (it then puts each file's sizes and CRC after its data), so the
archive goes out in pieces of at most :data:`CHUNK_BYTES` as the files are read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["CHUNK_BYTES", "zip_stream"]

CHUNK_BYTES = 1 << 20
# Already compressed: deflating them again costs time and saves nothing. JSON and Radiance .hdr (RLE) shrink.
_STORED_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".exr", ".webp"})


class _Pieces(io.RawIOBase):
    """A write-only, unseekable sink whose bytes are handed on with :meth:`take`."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer += data
        return len(data)

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def zip_stream(files: Sequence[Path]) -> Iterator[bytes]:
    """The bytes of a zip holding each of ``files`` under its own name, in order."""
    sink = _Pieces()
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for path in files:
            info = zipfile.ZipInfo.from_file(path, arcname=path.name)
            stored = path.suffix.lower() in _STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK_BYTES):
                    target.write(chunk)
                    if piece := sink.take():
                        yield piece
    if piece := sink.take():  # the last file's descriptor and the central directory
        yield piece
