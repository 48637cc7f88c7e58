"""Shelf-like test images made with Pillow (a fixed seed each): rows of coloured packs on shelves, and the small
edits a reused photo goes through (resize, JPEG re-compress, a few pixels cropped)."""

import io
import random
from datetime import datetime

from PIL import Image, ImageDraw


def shelf(seed: int, size=(640, 480)) -> Image.Image:
    """Shelves with packs of random widths and colours: every seed a different shelf."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, (rng.randint(200, 255),) * 3)
    draw = ImageDraw.Draw(image)
    rows = rng.randint(3, 5)
    row_height = height // rows
    for row in range(rows):
        top = row * row_height
        draw.rectangle([0, top + row_height - 8, width, top + row_height], fill=(90, 90, 90))  # the shelf board
        x = rng.randint(0, 20)
        while x < width:
            pack = rng.randint(25, 90)
            colour = tuple(rng.randint(0, 255) for _ in range(3))
            draw.rectangle([x, top + rng.randint(5, row_height // 2), x + pack, top + row_height - 9], fill=colour)
            x += pack + rng.randint(2, 12)
    return image


def jpeg(image: Image.Image, *, quality: int = 90, taken_at: datetime | None = None, offset: str = "") -> bytes:
    """The image as JPEG bytes, with EXIF DateTimeOriginal (and OffsetTimeOriginal) when given."""
    out = io.BytesIO()
    exif = Image.Exif()
    if taken_at is not None:
        ifd = exif.get_ifd(0x8769)
        ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        if offset:
            ifd[0x9011] = offset
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def resized(image: Image.Image, factor: float = 0.5) -> Image.Image:
    return image.resize((int(image.width * factor), int(image.height * factor)))


def recompressed(image: Image.Image, quality: int = 35) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(image, quality=quality))).convert("RGB")


def cropped(image: Image.Image, pixels: int = 4) -> Image.Image:
    return image.crop((pixels, pixels, image.width - pixels, image.height - pixels))
