"""Photos for the demo: shelf-like JPEGs, each seed a different shelf, so the perceptual hash that finds a reused
photo (evidence/signals.py) tells them apart as it would real ones."""

import io
import random
from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw


def shelf_jpeg(seed: int, *, taken_at: datetime | None = None, edit: bool = False) -> bytes:
    """A shelf-like JPEG (rows of coloured packs on boards); `edit` crops and shrinks it a little, as a rep
    re-sending an old photo would; `taken_at` writes the camera's local time into EXIF."""
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 360), (rng.randint(215, 250),) * 3)
    draw = ImageDraw.Draw(image)
    for row in range(4):
        top = row * 90
        draw.rectangle([0, top + 82, 480, top + 90], fill=(95, 95, 95))
        x = rng.randint(0, 15)
        while x < 480:
            width = rng.randint(25, 70)
            draw.rectangle(
                [x, top + rng.randint(8, 40), x + width, top + 81], fill=tuple(rng.randint(0, 255) for _ in range(3))
            )
            x += width + rng.randint(2, 10)
    if edit:
        image = image.crop((3, 3, 477, 357)).resize((400, 300))
    exif = Image.Exif()
    if taken_at is not None:
        exif.get_ifd(0x8769)[0x9003] = timezone.localtime(taken_at).strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, exif=exif)
    return out.getvalue()


def shelf_upload(seed: int, *, taken_at: datetime | None = None, name: str = "shelf.jpg") -> SimpleUploadedFile:
    """`shelf_jpeg` as an upload for visits.services.visit_photo_add."""
    return SimpleUploadedFile(name, shelf_jpeg(seed, taken_at=taken_at), content_type="image/jpeg")
