"""What the server reads from an uploaded visit photo, with Pillow: its real format (JPEG or PNG, whatever the
file is called), the camera's time, a thumbnail for lists and the perceptual hash that finds a reused photo.

Pure: bytes in, an `InspectedPhoto` out, or a DomainError saying why the file is refused.
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import imagehash
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ka_portal.errors import DomainError

# Phones send HEIC photos converted to JPEG; anything else (GIF, WebP, TIFF, HEIC itself) is refused.
ALLOWED_FORMATS = ("JPEG", "PNG")
THUMBNAIL_PX = 320  # the longest side of a thumbnail
THUMBNAIL_QUALITY = 80
# A camera writes its local time without a zone; the field force works in China.
CAMERA_ZONE = ZoneInfo("Asia/Shanghai")
# A decompression bomb is no photo: a phone's camera makes at most ~50 megapixels.
MAX_PIXELS = 80_000_000


@dataclass(frozen=True)
class InspectedPhoto:
    format: str  # "JPEG" or "PNG"
    taken_at: datetime | None  # the camera's time (EXIF DateTimeOriginal), aware; None without one
    thumbnail: bytes  # a JPEG, at most THUMBNAIL_PX on its longest side, the right way up
    phash: int  # imagehash.phash as a signed 64-bit integer (what a BigIntegerField holds)


OTHER_FORMAT = _("Only JPEG and PNG photos are accepted (this file is %(found)s). Phones convert HEIC photos to JPEG.")
NOT_AN_IMAGE = _(
    "Only JPEG and PNG photos are accepted: this file is not an image. Phones convert HEIC photos to JPEG."
)


def refuse_format(found: str = "") -> DomainError:
    """A file of another format (`found`: GIF, WEBP…), or no image at all (`found` empty): said as a sentence of its
    own in each language, not the format's slot filled with "not an image" (read "此文件为 非图片" in Chinese)."""
    message = OTHER_FORMAT if found else NOT_AN_IMAGE
    return DomainError("visit.photo_format", message, field="image", found=found, allowed="JPEG, PNG")


def inspect_photo(data: bytes) -> InspectedPhoto:
    """Read the photo, or refuse it: not an image, a format other than JPEG or PNG, or a corrupt file."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format or ""
            if found not in ALLOWED_FORMATS:
                raise refuse_format(found)
            if probe.width * probe.height > MAX_PIXELS:
                raise _corrupt()
            probe.verify()  # checks the file's structure; the image must be opened again to be read
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            image.load()  # a truncated or damaged file fails here
            upright = ImageOps.exif_transpose(image)
            return InspectedPhoto(
                format=found,
                taken_at=exif_taken_at(exif),
                thumbnail=make_thumbnail(upright),
                phash=phash_of(upright),
            )
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, UnidentifiedImageError):
            raise refuse_format() from error
        raise _corrupt() from error


def _corrupt() -> DomainError:
    return DomainError(
        "visit.photo_corrupt",
        _("This photo cannot be read: the file is damaged or incomplete. Take or send it again."),
        field="image",
    )


def exif_taken_at(exif) -> datetime | None:
    """The camera's time from EXIF DateTimeOriginal (else DateTime), in the zone EXIF OffsetTimeOriginal gives,
    else Asia/Shanghai; None when the file has no readable time."""
    if not exif:
        return None
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    text = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not text:
        return None
    try:
        local = datetime.strptime(str(text).strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other placeholders cameras write
    offset = sub.get(ExifTags.Base.OffsetTimeOriginal)
    zone = _offset_zone(offset) or CAMERA_ZONE
    return local.replace(tzinfo=zone)


def _offset_zone(offset) -> dt_timezone | None:
    """'+08:00' / '-05:30' → a fixed zone; anything else → None."""
    text = str(offset or "").strip("\x00 ").strip()
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return dt_timezone(-delta if text[0] == "-" else delta)


def make_thumbnail(image: Image.Image) -> bytes:
    """A small JPEG of the (already upright) image for lists and the review queue."""
    thumb = image.convert("RGB")
    thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def phash_of(image: Image.Image) -> int:
    """The 64-bit perceptual hash (imagehash.phash) as a signed integer."""
    return to_signed(int(str(imagehash.phash(image)), 16))


def to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def bands(value: int) -> list[int]:
    """The hash's eight bytes, most significant first, each 0..255: two hashes within Hamming distance 7 share
    at least one of them exactly."""
    unsigned = value & 0xFFFFFFFFFFFFFFFF
    return [(unsigned >> (8 * (7 - i))) & 0xFF for i in range(8)]


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()


def same_file(content: bytes, stored) -> bool:
    """Whether a stored file (a FieldFile) holds exactly `content`: its size first (no read for another size), then
    its bytes. A stored file that cannot be read any more is not the same."""
    try:
        if stored.size != len(content):
            return False
        with stored.open("rb") as file:
            return file.read() == content
    except OSError:
        return False
