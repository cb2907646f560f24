"""Lead images on disk, for terminals that can draw them (``ui.show_images``).

An image is fetched once with the feed fetcher (same timeouts, redirects and
http(s)-only rule), kept only if it really is a JPEG, PNG, GIF or WebP (the
Content-Type and the file's first bytes must agree, and Pillow must read it) and
no larger than ``IMAGE_MAX_BYTES`` or ``MAX_PIXELS``, and stored under
``paths.images_dir`` by a hash of its URL. Offline, only what is on disk is returned.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from termnews.config import Config
from termnews.feeds.clean import reserved_host, safe_http_url
from termnews.paths import Paths

IMAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5000 × 5000: a small file can claim far more and eat the memory
_TYPES = {
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
_EXTENSIONS = (".jpg", ".png", ".gif", ".webp")


def sniff(body: bytes) -> str | None:
    """The image format from its first bytes (extension), or None when it is none of ours."""
    if body.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if body[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return ".webp"
    return None


def decodes(body: bytes) -> bool:
    """Pillow reads the image's structure without error and its size is sane.

    The header of a pixel bomb claims a huge size in a few bytes: refused before
    anything is decoded. verify() checks the file's structure (PNG chunk CRCs …)
    so a truncated or forged file is not stored to fail later in the renderer.
    """
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as im:
                if im.width <= 0 or im.height <= 0 or im.width * im.height > MAX_PIXELS:
                    return False
                im.verify()
    except Exception:  # Pillow raises many kinds on hostile files; all mean "not an image"
        return False
    return True


def _stem(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def image_path(paths: Paths, url: str) -> Path | None:
    """The cached file for an image URL, if it was fetched before."""
    stem = _stem(url)
    for ext in _EXTENSIONS:
        p = paths.images_dir / (stem + ext)
        if p.is_file():
            return p
    return None


async def cached_image(paths: Paths, config: Config, url: str, *,
                       offline: bool = False, origin: str | None = None) -> Path | None:
    """The image at url as a local file (fetched now if needed), or None when it cannot be had
    (not http(s), offline and not cached, a reserved host such as ``*.example``, an error,
    too large, not an image). The demo outlet's images come with the package."""
    safe = safe_http_url(url)
    if safe is None:
        return None
    from termnews.catalog import demo_image

    found = image_path(paths, safe) or demo_image(safe)
    if found is not None or offline or reserved_host(safe):
        return found
    from termnews.feeds.fetch import fetch, make_client

    limited = replace(config, refresh=replace(
        config.refresh, max_bytes=min(config.refresh.max_bytes, IMAGE_MAX_BYTES)))
    async with make_client(limited) as client:
        # origin: the article's feed; a public feed's image on a local address is refused.
        result = await fetch(client, safe, etag=None, last_modified=None, config=limited,
                             origin=origin)
    if result.error or result.status != 200 or not result.body:
        return None
    media = result.content_type.split(";")[0].strip().lower()
    ext = sniff(result.body)
    if ext is None or _TYPES.get(media) != ext or not decodes(result.body):
        return None
    target = paths.images_dir / (_stem(safe) + ext)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(result.body)
        os.replace(tmp, target)  # whole or not at all: a reader never sees half an image
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return None
    return target


def prune_images(paths: Paths, keep_days: int, *, now: float | None = None) -> int:
    """Delete cached images not used for keep_days (0 = keep); returns how many."""
    if keep_days <= 0 or not paths.images_dir.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - keep_days * 86400
    removed = 0
    for p in paths.images_dir.iterdir():
        try:
            st = p.stat()
            if p.is_file() and max(st.st_mtime, st.st_atime) < cutoff:
                p.unlink()
                removed += 1
        except OSError:
            continue
    return removed
