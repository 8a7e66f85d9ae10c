"""The safe-photo pipeline: an uploaded file in, a photo safe to publish out.

Only the result is ever stored. It is a new JPEG made from the pixels alone: orientation applied,
colour converted to sRGB, transparency laid on white, faces covered with an opaque fill, and no
metadata block of any kind (no EXIF, XMP, IPTC, ICC, comment or thumbnail). What comes in is
checked by its content, not by its name: one of the formats phones produce, the same format its
name and type claim, whole, alone (nothing after the image's end) and within the size limits.

Faces are covered, never blurred or pixelated: both are undone by current models. The fill is
one mid-grey laid on whole 8x8 blocks and the JPEG is written without chroma subsampling, so an
all-grey block decodes to exactly that grey: no value of the face survives in the file.
"""

import contextlib
import io
import struct
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from streetwave.core.errors import DomainError

from .faces import Box, find_faces

register_heif_opener()

MAX_BYTES = 25 * 1024 * 1024
# About 50 megapixels: more than any phone's photo, far less than what a decompression bomb
# asks for. Pillow's own bomb check (which raises at twice its limit and warns above it) is set
# to the same figure, and both the warning and the error are refused.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

FILL = (128, 128, 128)
# The longest side of the small copy (`SmallCopy`), in pixels: a phone's width at twice its
# density, and a column of the wall on a wide screen.
SMALL_SIDE = 960
_BLOCK = 8
JPEG_QUALITY = 85

Kind = Literal["jpeg", "png", "webp", "heif"]

_PILLOW_FORMAT: dict[Kind, str] = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heif": "HEIF"}
_EXTENSIONS: dict[str, Kind] = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "jpe": "jpeg",
    "jfif": "jpeg",
    "png": "png",
    "webp": "webp",
    "heic": "heif",
    "heif": "heif",
    "hif": "heif",
}
_TYPES: dict[str, Kind] = {
    "image/jpeg": "jpeg",
    "image/pjpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heif",
    "image/heif": "heif",
    "image/heic-sequence": "heif",
    "image/heif-sequence": "heif",
}
# What a browser sends when it does not know the type (some send it for HEIC): no claim at all.
_UNKNOWN_TYPES = {"", "application/octet-stream"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


class PhotoRefused(DomainError):
    default_message = _("This file cannot be used as a photo.")


class NotAPhoto(PhotoRefused):
    default_message = _("Upload a photo in JPEG, PNG, WebP or HEIC format.")


class SvgRefused(PhotoRefused):
    default_message = _(
        "SVG drawings cannot be uploaded: they can carry scripts. Upload a photo in JPEG, PNG, "
        "WebP or HEIC format."
    )


class MismatchedPhoto(PhotoRefused):
    default_message = _(
        "The file's name or type does not match what it contains. Save the photo again and "
        "upload that copy."
    )


class TrailingData(PhotoRefused):
    default_message = _(
        "The file holds something else after the image (for example an archive or a video). "
        "Save the photo again as a plain image and upload that copy."
    )


class TruncatedPhoto(PhotoRefused):
    default_message = _("The file is incomplete or damaged. Upload the photo again.")


class PhotoTooLarge(PhotoRefused):
    default_message = _("The file is larger than 25 MB. Upload a smaller copy of the photo.")


class TooManyPixels(PhotoRefused):
    default_message = _(
        "The image is larger than 50 megapixels. Upload a smaller copy of the photo."
    )


# Every refusal by its name, which a photo row stores to show it translated later.
REFUSALS: dict[str, type[PhotoRefused]] = {
    cls.__name__: cls
    for cls in (
        NotAPhoto,
        SvgRefused,
        MismatchedPhoto,
        TrailingData,
        TruncatedPhoto,
        PhotoTooLarge,
        TooManyPixels,
        PhotoRefused,
    )
}


def refusal_message(name: str) -> str:
    """Why a photo was refused, by the refusal's name, in the reader's language."""
    return str(REFUSALS.get(name, PhotoRefused).default_message)


@dataclass(frozen=True)
class Region:
    """A rectangle of the photo as fractions of its width and height (0 to 1)."""

    x: float
    y: float
    w: float
    h: float

    def to_box(self, width: int, height: int) -> Box:
        x0, y0 = round(self.x * width), round(self.y * height)
        x1, y1 = round((self.x + self.w) * width), round((self.y + self.h) * height)
        return Box(x0, y0, max(0, x1 - x0), max(0, y1 - y0))

    @classmethod
    def of_box(cls, box: Box, width: int, height: int) -> "Region":
        return cls(box.x / width, box.y / height, box.w / width, box.h / height)

    def contains_centre_of(self, box: Box, width: int, height: int) -> bool:
        cx, cy = (box.x + box.w / 2) / width, (box.y + box.h / 2) / height
        return self.x <= cx <= self.x + self.w and self.y <= cy <= self.y + self.h


# Why a region is covered: a face the detector found, a region a person marked, or a face the
# organizer's browser covered before the upload.
Source = Literal["detected", "marked", "phone"]


@dataclass(frozen=True)
class MaskedRegion:
    """A region covered by the fill, and why (`Source`)."""

    region: Region
    source: Source


@dataclass(frozen=True)
class SmallCopy:
    """The copy lists show (a wall, a page of many photos): longest side SMALL_SIDE at most."""

    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes
    width: int
    height: int
    masked: tuple[MaskedRegion, ...]
    small: SmallCopy
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def _sniff(data: bytes) -> Kind:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heif"
    head = data[:1024].lstrip().lower()
    if b"<svg" in head or head.startswith(b"<?xml"):
        raise SvgRefused()
    raise NotAPhoto()


def _claimed(declared_name: str, declared_type: str) -> tuple[Kind | None, Kind | None]:
    extension = declared_name.rsplit(".", 1)[-1].lower() if "." in declared_name else ""
    if extension == "svg" or declared_type.lower().startswith("image/svg"):
        raise SvgRefused()
    by_name = _EXTENSIONS.get(extension)
    if by_name is None:
        raise NotAPhoto()
    content_type = declared_type.split(";", 1)[0].strip().lower()
    if content_type in _UNKNOWN_TYPES:
        return by_name, None
    by_type = _TYPES.get(content_type)
    if by_type is None:
        raise MismatchedPhoto()
    return by_name, by_type


def _jpeg_end(data: bytes) -> int:
    """Offset just past the first JPEG's end-of-image marker."""
    at = 2
    size = len(data)
    while at + 2 <= size:
        if data[at] != 0xFF:
            raise TruncatedPhoto()
        marker = data[at + 1]
        if marker == 0xFF:  # fill bytes between segments
            at += 1
            continue
        if marker == 0xD9:
            return at + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            at += 2
            continue
        if at + 4 > size:
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data until a marker that is not
            while True:  # a stuffed 0xFF00 or a restart marker
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= size:
                    raise TruncatedPhoto()
                following = data[at + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    at += 1 if following == 0xFF else 2
                    continue
                break
    raise TruncatedPhoto()


def _png_end(data: bytes) -> int:
    at = 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        at += 12 + length
        if kind == b"IEND":
            if at > len(data):
                raise TruncatedPhoto()
            return at
    raise TruncatedPhoto()


def _webp_end(data: bytes) -> int:
    size = int.from_bytes(data[4:8], "little")
    end = 8 + size + (size & 1)
    if end > len(data) + (size & 1):
        raise TruncatedPhoto()
    return min(end, len(data))


def _heif_end(data: bytes) -> int:
    """HEIF is a list of ISO base media boxes to the end of the file; anything else is extra."""
    at = 0
    while at < len(data):
        if at + 8 > len(data):
            raise TrailingData()
        (size,) = struct.unpack(">I", data[at : at + 4])
        if size == 1:
            if at + 16 > len(data):
                raise TruncatedPhoto()
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
        elif size == 0:
            return len(data)
        kind = data[at + 4 : at + 8]
        if size < 8 or not kind.isascii() or not kind.decode("ascii").isprintable():
            raise TrailingData()
        at += size
    if at > len(data):
        raise TruncatedPhoto()
    return at


_ENDS = {"jpeg": _jpeg_end, "png": _png_end, "webp": _webp_end, "heif": _heif_end}


def _check_alone(data: bytes, kind: Kind) -> None:
    """Refuse a file that carries anything after its image: a polyglot, or a hidden payload."""
    end = _ENDS[kind](data)
    if data[end:].strip(b"\x00"):
        raise TrailingData()


def _decode(data: bytes, kind: Kind) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[kind]])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise TooManyPixels()
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise TooManyPixels() from bomb
    except UnidentifiedImageError as unknown:
        raise MismatchedPhoto() from unknown
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as broken:
        raise TruncatedPhoto() from broken
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB; transparency laid on white."""
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    elif image.mode == "LA":
        image = image.convert("RGBA")
    alpha = image.getchannel("A") if image.mode == "RGBA" else None
    if image.mode == "RGBA":
        image = image.convert("RGB")
    if icc:
        # A broken profile says nothing trustworthy about the colours: they are read as sRGB.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
            image = converted if converted is not None else image
    if image.mode != "RGB":
        image = image.convert("RGB")
    if alpha is not None:
        white = Image.new("RGB", image.size, (255, 255, 255))
        image = Image.composite(image, white, alpha)
    return image


def mask_box(face: Box, width: int, height: int) -> Box:
    """The region to cover for a face: wider for ears and hair, taller for hair and neck,
    grown outward to whole 8x8 blocks. The detector's box runs from cheek to cheek: 1.6 times
    its width left hair showing beside a full head of it."""
    grown_w, grown_h = face.w * 1.8, face.h * 2.0
    x0 = face.x + face.w / 2 - grown_w / 2
    y0 = face.y - face.h * 0.4
    return _blocks(Box(int(x0), int(y0), int(grown_w + 1), int(grown_h + 1)), width, height)


def _blocks(box: Box, width: int, height: int) -> Box:
    x0 = max(0, box.x // _BLOCK * _BLOCK)
    y0 = max(0, box.y // _BLOCK * _BLOCK)
    x1 = min(width, -(-box.right // _BLOCK) * _BLOCK)
    y1 = min(height, -(-box.bottom // _BLOCK) * _BLOCK)
    return Box(x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def _encode(image: Image.Image) -> bytes:
    """A JPEG of the pixels alone. Nothing is passed in, and the image's info is emptied first:
    Pillow would copy a comment from it."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()


def check_upload(data: bytes, *, declared_name: str, declared_type: str) -> Kind:
    """What can be refused without decoding the pixels, at once while the form is still open:
    the size, the format by content, its agreement with the name and type, nothing after the
    image's end. Raises a PhotoRefused; process_photo runs it again and the rest."""
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge()
    by_name, by_type = _claimed(declared_name, declared_type)
    kind = _sniff(data)
    if kind != by_name or (by_type is not None and kind != by_type):
        raise MismatchedPhoto()
    _check_alone(data, kind)
    return kind


def process_photo(
    data: bytes,
    *,
    declared_name: str,
    declared_type: str,
    marked: Sequence[Region] = (),
    consenting: Sequence[Region] = (),
    covered_on_phone: Sequence[Region] = (),
) -> ProcessedPhoto:
    """Check, decode, clean and mask an uploaded photo; raise a PhotoRefused when it is refused.

    `marked` are regions a person asked to cover besides the faces found (a missed face, a
    tattoo, a name tag, a licence plate); a face found whose centre lies in one of `consenting`
    is left uncovered (someone who agreed to be shown, such as a speaker on stage).
    `covered_on_phone` are the regions the organizer's browser covered before the upload (the
    faces it found there): covered again here, and listed as such.
    """
    kind = check_upload(data, declared_name=declared_name, declared_type=declared_type)
    image = _decode(data, kind)
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except (OSError, ValueError, SyntaxError, struct.error) as broken:
        raise TruncatedPhoto() from broken
    image = _to_srgb(image)
    width, height = image.size
    masked: list[MaskedRegion] = []
    for face in find_faces(image):
        if any(region.contains_centre_of(face, width, height) for region in consenting):
            continue
        masked.append(
            MaskedRegion(Region.of_box(mask_box(face, width, height), width, height), "detected")
        )
    asked: tuple[tuple[Sequence[Region], Source], ...] = (
        (marked, "marked"),
        (covered_on_phone, "phone"),
    )
    for regions, source in asked:
        for region in regions:
            box = _blocks(region.to_box(width, height), width, height)
            masked.append(MaskedRegion(Region.of_box(box, width, height), source))
    regions = [m.region for m in masked]
    _fill(image, regions)
    return ProcessedPhoto(_encode(image), width, height, tuple(masked), _small_copy(image, regions))


def _small_copy(masked: Image.Image, regions: Iterable[Region]) -> SmallCopy:
    """The small copy, made from the masked pixels only (no face pixel is there to survive), with
    the covered regions filled again on the small copy's own whole blocks: resampling blends a
    region's edge with its surroundings, and the fill leaves it all grey again."""
    width, height = masked.size
    scale = min(1.0, SMALL_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap: a box reduction by a whole factor first, then Lanczos on what is left, at a
    # fifth of the time of Lanczos over twelve megapixels, and no difference to see at list size.
    small = masked.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)
    boxes = [_blocks(r.to_box(*size), *size) for r in regions]
    _fill(small, (Region.of_box(b, *size) for b in boxes))
    return SmallCopy(_encode(small), *size)


def _opened(data: bytes) -> Image.Image:
    """A photo this pipeline made (its JPEG), decoded."""
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        return image.convert("RGB")


def small_copy(data: bytes, regions: Sequence[Region]) -> SmallCopy:
    """The small copy of a photo this pipeline made (its JPEG), `regions` being all it covers."""
    return _small_copy(_opened(data), regions)


def _fill(image: Image.Image, regions: Iterable[Region]) -> None:
    width, height = image.size
    for region in regions:
        box = region.to_box(width, height)
        image.paste(FILL, (box.x, box.y, box.right, box.bottom))


def mask_regions(data: bytes, regions: Sequence[Region]) -> bytes:
    """Cover more regions of a photo this pipeline already made (its JPEG, no original needed)."""
    image = _opened(data)
    width, height = image.size
    boxes = [_blocks(r.to_box(width, height), width, height) for r in regions]
    _fill(image, (Region.of_box(b, width, height) for b in boxes))
    return _encode(image)
