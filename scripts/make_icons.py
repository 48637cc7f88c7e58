"""Draws the app's icons (static/icons/icon-192.png, icon-512.png) for the web app manifest: white "KA" on the
navbar's blue, full bleed so a phone may crop it to its own shape (the letters stay in the central safe zone).
Run again after changing the look: `python scripts/make_icons.py`."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BLUE = "#0d6efd"  # Bootstrap's primary: the navbar and the manifest's theme colour
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE)
    font = ImageFont.load_default(size=round(size * 0.36))  # Pillow's own font: the same on every machine
    ImageDraw.Draw(image).text((size / 2, size / 2), "KA", font=font, fill="white", anchor="mm")
    return image


if __name__ == "__main__":
    ICONS.mkdir(exist_ok=True)
    for size in (192, 512):
        draw(size).save(ICONS / f"icon-{size}.png", optimize=True)
