"""Real image files for tests, made here: a PNG of any size in a few lines of zlib."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width: int = 32, height: int = 16, rgb: tuple[int, int, int] = (200, 40, 40),
        *, claimed: tuple[int, int] | None = None) -> bytes:
    """A solid-colour RGB PNG; ``claimed`` writes another size into the header (a pixel bomb)."""
    w, h = claimed or (width, height)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))
