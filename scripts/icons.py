#!/usr/bin/env python3
"""Draws the Send Secure icons into assets/ (SPEC §10: 16, 32, 64, 80 and 128 px PNG).

The design: a rounded tile in a healthcare green-to-blue gradient, a white envelope, and a
shield with a check mark over its lower right corner ("checked, sent securely"). Each size is
drawn at 16x its pixel size and scaled down with Lanczos, so edges are smooth; the two ribbon
sizes (16 and 32 px) use heavier strokes and a larger shield so they stay legible.

The PNGs are committed; the server embeds them. Run this only to change the design:

    pip install pillow
    python3 scripts/icons.py            # writes assets/icon-{16,32,64,80,128}.png
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZES = (16, 32, 64, 80, 128)
SUPERSAMPLE = 16
OUT = Path(__file__).resolve().parent.parent / "assets"

GREEN = (18, 163, 127)  # top left of the tile
BLUE = (11, 94, 142)  # bottom right of the tile
WHITE = (255, 255, 255)
INK = (11, 94, 142)  # the envelope's flap lines
SHIELD = (16, 140, 96)
CHECK = WHITE


def gradient_tile(px: int) -> Image.Image:
    """A diagonal green → blue gradient, px × px (drawn at 256 px and scaled: smooth anyway)."""
    n = 256
    tile = Image.new("RGB", (n, n))
    pixels = tile.load()
    for y in range(n):
        for x in range(n):
            t = (x + y) / (2 * (n - 1))
            pixels[x, y] = tuple(round(a + (b - a) * t) for a, b in zip(GREEN, BLUE))
    return tile.resize((px, px), Image.BILINEAR)


def draw(size: int) -> Image.Image:
    px = size * SUPERSAMPLE
    small = size <= 32
    u = px / 100  # one unit = 1 % of the icon

    # The tile: the gradient inside a rounded square mask (transparent corners).
    mask = Image.new("L", (px, px), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, px - 1, px - 1), radius=round(22 * u), fill=255
    )
    icon = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    icon.paste(gradient_tile(px), (0, 0), mask)
    d = ImageDraw.Draw(icon)

    # The envelope: a white card with its flap drawn as a V.
    left, top, right, bottom = 14 * u, 24 * u, 78 * u, 70 * u
    d.rounded_rectangle((left, top, right, bottom), radius=round(5 * u), fill=WHITE)
    stroke = round((7 if small else 4.5) * u)
    mid = (left + right) / 2
    d.line(
        [(left + 4 * u, top + 5 * u), (mid, top + 27 * u), (right - 4 * u, top + 5 * u)],
        fill=INK,
        width=stroke,
        joint="curve",
    )

    # The shield, with a white rim so it stands off the envelope.
    scale = 1.2 if small else 1.0
    cx, cy = 70 * u, 64 * u
    w, h = 30 * u * scale, 36 * u * scale

    def shield(grow: float) -> list[tuple[float, float]]:
        half = w / 2 + grow
        t = cy - h / 2 - grow
        shoulder = cy - h * 0.18
        return [
            (cx, t),
            (cx + half, t + h * 0.12),
            (cx + half, shoulder),
            (cx + half * 0.55, cy + h * 0.32),
            (cx, cy + h / 2 + grow),
            (cx - half * 0.55, cy + h * 0.32),
            (cx - half, shoulder),
            (cx - half, t + h * 0.12),
        ]

    d.polygon(shield(4.5 * u), fill=WHITE)
    d.polygon(shield(0), fill=SHIELD)
    check = round((6.5 if small else 5) * u * scale)
    d.line(
        [
            (cx - 8 * u * scale, cy - 1 * u * scale),
            (cx - 2 * u * scale, cy + 6 * u * scale),
            (cx + 9 * u * scale, cy - 8 * u * scale),
        ],
        fill=CHECK,
        width=check,
        joint="curve",
    )

    return icon.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        path = OUT / f"icon-{size}.png"
        draw(size).save(path, optimize=True)
        print(f"wrote {path.relative_to(OUT.parent)}")


if __name__ == "__main__":
    main()
