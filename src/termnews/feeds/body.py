"""Response bodies: Content-Encoding decoded in bounded steps, and a cap on the size.

A compressed body is never inflated past the cap (gzip bombs), and the cap counts the
decoded bytes, not the bytes on the wire.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any


class DecodeError(Exception):
    """A compressed body that does not decompress."""


class TooLarge(Exception):
    """A body past the size cap."""


DECODE_STEP = 1024 * 1024  # most bytes one decompression step may produce


class BoundedDecoder:
    """Content-Encoding decoding in bounded steps.

    HTTP libraries inflate each network read in one go, so 64 KB of a gzip bomb becomes
    ~64 MB in memory before any size check can run. Here every step yields at
    most DECODE_STEP bytes, and the caller stops as soon as the cap is passed.
    """

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise ValueError(f"unsupported content encoding: {content_encoding.strip()[:40]}")
        self.kind = codings[0] if codings else ""
        self._z: Any = None
        self._br: Any = None
        if self.kind in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.kind == "br":
            import brotli

            self._br = brotli.Decompressor()
        elif self.kind not in ("", "deflate"):
            raise ValueError(f"unsupported content encoding: {self.kind[:40]}")

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._z.decompress(data, DECODE_STEP)
            yield out
            while self._z.unconsumed_tail:
                yield self._z.decompress(self._z.unconsumed_tail, DECODE_STEP)
        except zlib.error as exc:
            raise DecodeError(str(exc)) from None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        if self.kind == "":
            yield data
            return
        if self.kind == "deflate" and self._z is None:
            # "deflate" is zlib-wrapped by the standard, raw by some servers.
            wrapped = len(data) >= 2 and (data[0] & 0x0F) == 8 and (
                (data[0] << 8) | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._z is not None:
            yield from self._inflate(data)
            return
        try:
            yield self._br.process(data, output_buffer_limit=DECODE_STEP)
            while not self._br.can_accept_more_data():
                yield self._br.process(b"", output_buffer_limit=DECODE_STEP)
        except Exception as exc:  # brotli.error
            raise DecodeError(str(exc)) from None

    def flush(self) -> Iterator[bytes]:
        if self._z is not None:
            try:
                rest = self._z.flush()
            except zlib.error as exc:
                raise DecodeError(str(exc)) from None
            if rest:
                yield rest


def mb(n: int) -> str:
    """A size in megabytes, for error messages."""
    return f"{n / (1024 * 1024):g} MB"


async def read_body(stream: AsyncIterator[bytes], decoder: BoundedDecoder,
                    max_bytes: int) -> bytes:
    """The decoded body of a response stream; raises TooLarge past max_bytes (as soon as
    that is known) and DecodeError for bad compressed data."""
    chunks: list[bytes] = []
    size = 0

    def take(decoded: Iterable[bytes]) -> None:
        nonlocal size
        for chunk in decoded:
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge
            chunks.append(chunk)

    async for raw in stream:
        take(decoder.decode(raw))
    take(decoder.flush())
    return b"".join(chunks)
