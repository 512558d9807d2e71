#!/usr/bin/env python3
"""Draws the Send Secure icons into assets/ (SPEC §10: 16, 32, 64, 80 and 128 px PNG, and the
app package's color.png and outline.png).

The design: a rounded tile in a healthcare green-to-blue gradient, a white envelope, and a
shield with a check mark over its lower right corner ("checked, sent securely"). Each size is
drawn at 16x its pixel size and scaled down with Lanczos, so edges are smooth; the two ribbon
sizes (16 and 32 px) use heavier strokes and a larger shield so they stay legible.

The unified manifest's app package (Microsoft 365 admin centre) needs two more, by Microsoft's
rules for app icons:

* color.png, 192 x 192: a full square (Microsoft 365 applies its own mask, so no rounded
  corners and no transparency), the symbol inside the central 120 x 120 safe area;
* outline.png, 32 x 32: the symbol in white on a transparent background, nothing else: every
  pixel is white (255, 255, 255) and only its alpha varies.

The PNGs are committed; the server embeds them. Run this only to change the design:

    pip install pillow
    python3 scripts/icons.py    # writes assets/icon-{16,32,64,80,128}.png, color.png, outline.png
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZES = (16, 32, 64, 80, 128)
SUPERSAMPLE = 16
COLOR_SIZE = 192  # the app package's color icon
COLOR_SAFE_AREA = 120  # where its symbol must stay, centred
OUTLINE_SIZE = 32  # the app package's outline icon
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


def draw(size: int, full_bleed: bool = False) -> Image.Image:
    """The icon, `size` px square: a rounded tile, or (`full_bleed`) a full square whose
    symbol stays inside the safe area."""
    px = size * SUPERSAMPLE
    small = size <= 32
    if full_bleed:
        # The symbol is laid out on a 100-unit tile as usual, shrunk into the safe area.
        span = px * COLOR_SAFE_AREA / size
        o = (px - span) / 2
    else:
        span, o = px, 0.0
    u = span / 100  # one unit = 1 % of the symbol's tile

    icon = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    if full_bleed:
        icon.paste(gradient_tile(px), (0, 0))
    else:
        # The tile: the gradient inside a rounded square mask (transparent corners).
        mask = Image.new("L", (px, px), 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, px - 1, px - 1), radius=round(22 * u), fill=255
        )
        icon.paste(gradient_tile(px), (0, 0), mask)
    d = ImageDraw.Draw(icon)

    # The envelope: a white card with its flap drawn as a V.
    left, top, right, bottom = o + 14 * u, o + 24 * u, o + 78 * u, o + 70 * u
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
    cx, cy = o + 70 * u, o + 64 * u
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


def draw_outline(size: int) -> Image.Image:
    """The symbol as white lines on transparency: the envelope's outline and flap, and the
    shield solid with its check mark cut out, a transparent gap around it."""
    px = size * SUPERSAMPLE
    u = px / 100
    ink = Image.new("L", (px, px), 0)  # coverage: 255 where white
    d = ImageDraw.Draw(ink)

    stroke = round(7 * u)
    left, top, right, bottom = 6 * u, 20 * u, 80 * u, 72 * u
    d.rounded_rectangle(
        (left, top, right, bottom), radius=round(7 * u), outline=255, width=stroke
    )
    mid = (left + right) / 2
    d.line(
        [(left + 6 * u, top + 8 * u), (mid, top + 30 * u), (right - 6 * u, top + 8 * u)],
        fill=255,
        width=stroke,
        joint="curve",
    )

    cx, cy = 74 * u, 68 * u
    w, h = 40 * u, 46 * u

    def shield(grow: float) -> list[tuple[float, float]]:
        half = w / 2 + grow
        t = cy - h / 2 - grow
        return [
            (cx, t),
            (cx + half, t + h * 0.12),
            (cx + half, cy - h * 0.18),
            (cx + half * 0.55, cy + h * 0.32),
            (cx, cy + h / 2 + grow),
            (cx - half * 0.55, cy + h * 0.32),
            (cx - half, cy - h * 0.18),
            (cx - half, t + h * 0.12),
        ]

    d.polygon(shield(7 * u), fill=0)  # the gap between envelope and shield
    d.polygon(shield(0), fill=255)
    d.line(
        [(cx - 11 * u, cy - 1 * u), (cx - 3 * u, cy + 8 * u), (cx + 12 * u, cy - 10 * u)],
        fill=0,
        width=round(7 * u),
        joint="curve",
    )

    alpha = ink.resize((size, size), Image.LANCZOS)
    icon = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    icon.putalpha(alpha)
    return icon


def save(image: Image.Image, name: str) -> None:
    path = OUT / name
    image.save(path, optimize=True)
    print(f"wrote {path.relative_to(OUT.parent)}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        save(draw(size), f"icon-{size}.png")
    save(draw(COLOR_SIZE, full_bleed=True).convert("RGB"), "color.png")
    save(draw_outline(OUTLINE_SIZE), "outline.png")


if __name__ == "__main__":
    main()
