#!/usr/bin/env python3
"""Draw the demo outlet's lead images: one small JPEG per story id, made here with Pillow.

    python scripts/build_demo_images.py

Each picture is a simple scene for its section (a harbour for World, a comet
for Science, a pitch for Sport …), varied by a seed taken from the story id,
so the output is the same on every run. The feeds point at
``https://meridian.example/img/<id>.jpg``; ``termnews.images`` serves those
from ``catalog/demo/images/`` instead of the network.
"""

from __future__ import annotations

import hashlib
import random
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "src" / "termnews" / "catalog" / "demo"
SIZE = (240, 135)  # 16:9, small: the terminal shows it at a few dozen cells
Draw = ImageDraw.ImageDraw
RGB = tuple[int, int, int]


def _sky(d: Draw, top: RGB, bottom: RGB, height: int) -> None:
    for y in range(height):
        t = y / max(1, height - 1)
        d.line([(0, y), (SIZE[0], y)], fill=tuple(round(a + (b - a) * t)
                                                  for a, b in zip(top, bottom, strict=True)))


def _hills(d: Draw, rng: random.Random, base: int, colour: RGB) -> None:
    points = [(0, SIZE[1])]
    x = 0
    while x <= SIZE[0]:
        points.append((x, base - rng.randint(0, 25)))
        x += rng.randint(25, 50)
    points += [(SIZE[0], base - 10), (SIZE[0], SIZE[1])]
    d.polygon(points, fill=colour)


def world(d: Draw, rng: random.Random) -> None:  # a harbour: sea, cranes, a ship
    _sky(d, (120, 170, 220), (220, 230, 240), 80)
    d.rectangle([0, 80, SIZE[0], SIZE[1]], fill=(40, 90, 140))
    for i in range(rng.randint(2, 4)):
        x = 30 + i * 50 + rng.randint(-8, 8)
        d.line([(x, 80), (x, 30)], fill=(200, 80, 40), width=4)
        d.line([(x - 10, 34), (x + 35, 34)], fill=(200, 80, 40), width=3)
    hull = rng.randint(120, 170)
    d.polygon([(hull, 95), (hull + 60, 95), (hull + 52, 110), (hull + 6, 110)], fill=(60, 60, 70))


def russia(d: Draw, rng: random.Random) -> None:  # birches in snow
    _sky(d, (170, 190, 215), (235, 238, 245), 90)
    d.rectangle([0, 90, SIZE[0], SIZE[1]], fill=(245, 247, 250))
    for _ in range(rng.randint(6, 10)):
        x = rng.randint(5, SIZE[0] - 5)
        d.line([(x, rng.randint(15, 45)), (x, 100)], fill=(240, 240, 235), width=4)
        for y in range(50, 100, 12):
            d.line([(x - 2, y), (x + 2, y)], fill=(40, 40, 40), width=2)


def society(d: Draw, rng: random.Random) -> None:  # a street of houses
    _sky(d, (250, 200, 150), (250, 235, 210), 100)
    x = 0
    while x < SIZE[0]:
        w, h = rng.randint(30, 45), rng.randint(40, 70)
        colour = rng.choice([(190, 90, 70), (220, 180, 90), (120, 150, 170), (150, 120, 160)])
        d.rectangle([x, 110 - h, x + w - 3, 110], fill=colour)
        for wy in range(115 - h, 100, 14):
            d.rectangle([x + 6, wy, x + 12, wy + 6], fill=(255, 240, 180))
        x += w
    d.rectangle([0, 110, SIZE[0], SIZE[1]], fill=(90, 90, 95))


def opinion(d: Draw, rng: random.Random) -> None:  # two speech bubbles
    _sky(d, (60, 60, 80), (110, 100, 130), SIZE[1])
    for cx, colour in ((70, (240, 200, 90)), (165, (120, 200, 220))):
        cy = rng.randint(45, 75)
        d.ellipse([cx - 45, cy - 30, cx + 45, cy + 30], fill=colour)
        d.polygon([(cx - 10, cy + 25), (cx + 5, cy + 25), (cx - 20, cy + 45)], fill=colour)
        for line in range(3):
            d.line([(cx - 28, cy - 12 + line * 12), (cx + 28 - line * 8, cy - 12 + line * 12)],
                   fill=(60, 60, 80), width=3)


def science(d: Draw, rng: random.Random) -> None:  # night sky and a comet
    _sky(d, (5, 10, 35), (30, 30, 70), SIZE[1])
    for _ in range(60):
        x, y = rng.randint(0, SIZE[0]), rng.randint(0, SIZE[1])
        d.point((x, y), fill=(255, 255, 230))
    hx, hy = rng.randint(140, 200), rng.randint(25, 60)
    for k in range(40):
        r = 9 - k * 0.2
        d.ellipse([hx - k * 3 - r, hy + k - r, hx - k * 3 + r, hy + k + r],
                  fill=(200 - k * 4, 220 - k * 4, 255 - k * 3))
    d.ellipse([hx - 6, hy - 6, hx + 6, hy + 6], fill=(255, 255, 240))
    _hills(d, rng, 125, (15, 20, 30))


def sport(d: Draw, rng: random.Random) -> None:  # a pitch with a ball
    _sky(d, (130, 190, 240), (200, 225, 250), 45)
    for i in range(8):
        d.rectangle([i * 30, 45, i * 30 + 30, SIZE[1]],
                    fill=(60, 150, 60) if i % 2 else (70, 165, 70))
    d.line([(SIZE[0] // 2, 45), (SIZE[0] // 2, SIZE[1])], fill=(240, 240, 240), width=2)
    d.ellipse([SIZE[0] // 2 - 25, 65, SIZE[0] // 2 + 25, 115], outline=(240, 240, 240), width=2)
    bx, by = rng.randint(40, 200), rng.randint(70, 120)
    d.ellipse([bx - 7, by - 7, bx + 7, by + 7], fill=(250, 250, 250), outline=(30, 30, 30))


def incidents(d: Draw, rng: random.Random) -> None:  # a road at dusk, a warning sign
    _sky(d, (70, 60, 110), (230, 130, 90), 85)
    d.polygon([(0, SIZE[1]), (100, 85), (140, 85), (SIZE[0], SIZE[1])], fill=(70, 70, 75))
    d.polygon([(0, SIZE[1]), (0, 85), (100, 85)], fill=(50, 80, 50))
    d.polygon([(SIZE[0], SIZE[1]), (SIZE[0], 85), (140, 85)], fill=(50, 80, 50))
    sx = rng.randint(160, 200)
    d.line([(sx, 120), (sx, 70)], fill=(180, 180, 180), width=3)
    d.polygon([(sx - 20, 75), (sx + 20, 75), (sx, 40)], fill=(250, 200, 40), outline=(200, 30, 30))


def business(d: Draw, rng: random.Random) -> None:  # a rising bar chart
    _sky(d, (235, 240, 245), (210, 220, 230), SIZE[1])
    x, h = 25, rng.randint(15, 30)
    for _ in range(7):
        d.rectangle([x, 120 - h, x + 20, 120], fill=(40, 110, 170))
        x += 28
        h = min(100, h + rng.randint(-5, 18))
    d.line([(15, 120), (SIZE[0] - 15, 120)], fill=(60, 60, 60), width=2)


SCENES: dict[str, Callable[[Draw, random.Random], None]] = {
    "world": world, "russia": russia, "society": society, "opinion": opinion,
    "science": science, "sport": sport, "incidents": incidents, "business": business,
}


def story_ids() -> dict[str, str]:
    """Every story id of the demo, with its section."""
    ids: dict[str, str] = {}
    for path in sorted((DEMO / "stories").glob("*.toml")):
        for story in tomllib.loads(path.read_text(encoding="utf-8"))["stories"]:
            ids[story["id"]] = story["section"]
    return ids


def draw(story_id: str, section: str) -> Image.Image:
    seed = int.from_bytes(hashlib.sha256(story_id.encode()).digest()[:8], "big")
    image = Image.new("RGB", SIZE)
    SCENES[section](ImageDraw.Draw(image), random.Random(seed))
    return image


def main() -> int:
    out = DEMO / "images"
    out.mkdir(exist_ok=True)
    ids = story_ids()
    for old in out.glob("*.jpg"):
        if old.stem not in ids:
            old.unlink()
    for story_id, section in ids.items():
        draw(story_id, section).save(out / f"{story_id}.jpg", quality=70, optimize=True)
    total = sum(p.stat().st_size for p in out.glob("*.jpg"))
    print(f"wrote {len(ids)} images to {out.relative_to(ROOT)} ({total // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
