"""The safe-photo pipeline (core.images) on files made here: metadata, colour, orientation,
transparency, and every kind of file it must refuse."""

import io
import struct
import zipfile

import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from streetwave.core import images
from streetwave.core.images import Region, process_photo

from .jpeg_parts import jpeg_segments, riff_chunks

CANARIES = (
    b"CANARY-GPS-AREA",
    b"CANARY-MAKE",
    b"CANARY-SERIAL",
    b"CANARY-MAKERNOTE",
    b"CANARY-XMP",
    b"CANARY-IPTC",
    b"CANARY-COMMENT",
    b"CANARY-TEXT",
    b"CANARY-ITXT",
)

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator='
    b'"CANARY-XMP"/></rdf:RDF></x:xmpmeta>'
)


def _exif() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CANARY-MAKE"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.IFD.Exif] = {
        ExifTags.Base.DateTimeOriginal: "2026:12:05 10:00:00",
        ExifTags.Base.BodySerialNumber: "CANARY-SERIAL",
        ExifTags.Base.MakerNote: b"CANARY-MAKERNOTE",
    }
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (4.0, 53.0, 2.5),
        ExifTags.GPS.GPSAreaInformation: b"ASCII\x00\x00\x00CANARY-GPS-AREA",
    }
    return exif.tobytes()


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _iptc_segment() -> bytes:
    """An APP13 Photoshop segment holding an IPTC by-line, as cameras and editors write it."""
    record = b"\x1c\x02\x50" + struct.pack(">H", 11) + b"CANARY-IPTC"
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def _picture(size=(64, 48), colour=(200, 80, 40)) -> Image.Image:
    return Image.new("RGB", size, colour)


def _jpeg_with_everything() -> bytes:
    out = io.BytesIO()
    _picture().save(
        out, "JPEG", exif=_exif(), icc_profile=_srgb_icc(), comment=b"CANARY-COMMENT", xmp=XMP
    )
    data = out.getvalue()
    return data[:2] + _iptc_segment() + data[2:]


def _png_with_everything() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "CANARY-TEXT")
    info.add_itxt("Description", "CANARY-ITXT")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_srgb_icc())
    return out.getvalue()


def _webp_with_everything() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "WEBP", exif=_exif(), xmp=XMP, icc_profile=_srgb_icc())
    return out.getvalue()


def _heic_with_exif() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "HEIF", exif=_exif(), xmp=XMP)
    return out.getvalue()


def _assert_bare_jpeg(data: bytes) -> None:
    """Only what a JPEG needs to show its pixels: JFIF without thumbnail, tables, frame, scan."""
    segments = jpeg_segments(data)
    markers = [marker for marker, _ in segments]
    assert not [m for m in markers if 0xE1 <= m <= 0xEF], "an APPn block (EXIF, XMP, ICC, IPTC)"
    assert 0xFE not in markers, "a comment"
    app0 = [payload for marker, payload in segments if marker == 0xE0]
    assert app0 == [app0[0]] and app0[0][:5] == b"JFIF\x00", "one JFIF header"
    assert app0[0][12:14] == b"\x00\x00", "a JFIF thumbnail"
    allowed = {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA, 0xD9}
    assert set(markers) <= allowed, f"unexpected markers {set(markers) - allowed}"
    for canary in CANARIES:
        assert canary not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert "comment" not in image.info
        assert "xmp" not in image.info


@pytest.mark.parametrize(
    ("make", "name", "content_type", "present"),
    [
        (_jpeg_with_everything, "photo.jpg", "image/jpeg", CANARIES[:7]),
        (_png_with_everything, "photo.png", "image/png", (b"CANARY-TEXT", b"CANARY-ITXT")),
        (_webp_with_everything, "photo.webp", "image/webp", (b"CANARY-MAKE", b"CANARY-XMP")),
        (_heic_with_exif, "photo.heic", "image/heic", (b"CANARY-MAKE",)),
    ],
)
def test_every_metadata_block_is_gone_from_the_bytes(make, name, content_type, present):
    # given a photo carrying GPS, device, serial, maker note, XMP, IPTC, ICC, comments, text
    uploaded = make()
    for canary in present:
        assert canary in uploaded, "the test file does not carry what it should"
    # when it goes through the pipeline
    result = process_photo(uploaded, declared_name=name, declared_type=content_type)
    # then the output's own blocks, read from its bytes, carry none of it
    _assert_bare_jpeg(result.data)
    assert (result.width, result.height) == (64, 48)


def test_the_inputs_carry_the_blocks_the_test_says_they_do():
    # given the generated files, read from their bytes
    jpeg_markers = {marker for marker, _ in jpeg_segments(_jpeg_with_everything())}
    webp_kinds = {kind for kind, _ in riff_chunks(_webp_with_everything())}
    png = _png_with_everything()
    # then each holds the blocks the pipeline must drop
    assert {0xE1, 0xE2, 0xED, 0xFE} <= jpeg_markers  # EXIF+XMP, ICC, IPTC, comment
    assert {b"EXIF", b"XMP ", b"ICCP"} <= webp_kinds
    for chunk in (b"tEXt", b"iTXt", b"eXIf", b"iCCP"):
        assert chunk in png


def test_orientation_is_applied_to_the_pixels():
    # given a photo stored sideways, red on the left, blue on the right, EXIF saying "turn 90"
    image = Image.new("RGB", (80, 40), (220, 0, 0))
    image.paste((0, 0, 220), (40, 0, 80, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    # when processed
    result = process_photo(out.getvalue(), declared_name="a.jpg", declared_type="image/jpeg")
    # then it stands upright, red on top, and no orientation tag is left to turn it again
    with Image.open(io.BytesIO(result.data)) as done:
        assert done.size == (40, 80)
        top, bottom = done.getpixel((20, 10)), done.getpixel((20, 70))
        assert not done.getexif()
    assert top[0] > 180 and top[2] < 40
    assert bottom[2] > 180 and bottom[0] < 40


def test_colours_are_read_through_the_embedded_profile_and_the_profile_dropped():
    # given a PNG whose pixels carry an sRGB profile (Pillow builds no other RGB profile)
    png = io.BytesIO()
    _picture(colour=(30, 160, 90)).save(png, "PNG", icc_profile=_srgb_icc())
    # when processed
    result = process_photo(png.getvalue(), declared_name="c.png", declared_type="image/png")
    # then the colour is the same sRGB colour and the profile is gone
    with Image.open(io.BytesIO(result.data)) as done:
        r, g, b = done.getpixel((10, 10))
        assert "icc_profile" not in done.info
    assert abs(r - 30) <= 4 and abs(g - 160) <= 4 and abs(b - 90) <= 4


def test_a_cmyk_photo_comes_out_in_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(out, "JPEG", quality=95)
    result = process_photo(out.getvalue(), declared_name="c.jpg", declared_type="image/jpeg")
    with Image.open(io.BytesIO(result.data)) as done:
        assert done.mode == "RGB"
        r, g, b = done.getpixel((16, 16))
    assert r > 200 and g < 60 and b < 60


def test_a_broken_profile_is_read_as_srgb():
    out = io.BytesIO()
    _picture().save(out, "JPEG", icc_profile=b"not a profile" * 10)
    result = process_photo(out.getvalue(), declared_name="c.jpg", declared_type="image/jpeg")
    _assert_bare_jpeg(result.data)


def test_transparency_is_laid_on_white():
    # given a PNG whose left half is fully transparent black
    image = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    image.paste((10, 20, 200, 255), (32, 0, 64, 32))
    out = io.BytesIO()
    image.save(out, "PNG")
    # when processed
    result = process_photo(out.getvalue(), declared_name="t.png", declared_type="image/png")
    # then the transparent half is white, the opaque half keeps its colour
    with Image.open(io.BytesIO(result.data)) as done:
        assert done.mode == "RGB"
        assert all(v >= 250 for v in done.getpixel((8, 16)))
        r, _g, b = done.getpixel((50, 16))
    assert b > 180 and r < 40


def test_marked_regions_are_filled_on_whole_blocks():
    # given a plain photo and a region an organizer marked (a name tag)
    out = io.BytesIO()
    _picture(size=(200, 100)).save(out, "JPEG")
    tag = Region(0.1, 0.2, 0.21, 0.33)
    # when processed
    result = process_photo(
        out.getvalue(), declared_name="t.jpg", declared_type="image/jpeg", marked=[tag]
    )
    # then the region grew to 8x8 blocks and every pixel of it is the fill
    (masked,) = result.masked
    box = masked.region.to_box(200, 100)
    assert masked.source == "marked"
    assert box.x % 8 == 0 and box.y % 8 == 0
    assert box.x <= 20 and box.y <= 20 and box.right >= 62 and box.bottom >= 53
    with Image.open(io.BytesIO(result.data)) as done:
        pixels = done.load()
        assert {
            pixels[x, y] for x in range(box.x, box.right) for y in range(box.y, box.bottom)
        } == {images.FILL}


# Bad files: each refused with its own clear message, before anything is decoded or stored.


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "hidden")
    return out.getvalue()


def _plain(kind: str) -> bytes:
    out = io.BytesIO()
    _picture().save(out, kind)
    return out.getvalue()


def test_a_decompression_bomb_is_refused():
    # given a PNG of 12,000 x 12,000 one-bit pixels: a few kilobytes that ask for 144 megapixels
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    # when uploaded, then it is refused as too large an image
    with pytest.raises(images.TooManyPixels):
        process_photo(out.getvalue(), declared_name="b.png", declared_type="image/png")


def test_an_image_over_the_pixel_limit_but_under_pillows_is_refused(monkeypatch):
    # given a limit lower than the picture, which Pillow only warns about
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    # when uploaded, then it is refused all the same
    with pytest.raises(images.TooManyPixels):
        process_photo(_plain("PNG"), declared_name="b.png", declared_type="image/png")


@pytest.mark.parametrize(
    ("kind", "name"), [("JPEG", "t.jpg"), ("PNG", "t.png"), ("WEBP", "t.webp")]
)
def test_a_truncated_file_is_refused(kind, name):
    # given a photo cut short, as an interrupted upload leaves it
    data = _plain(kind)
    # when uploaded, then it is refused as incomplete
    with pytest.raises(images.TruncatedPhoto):
        process_photo(data[: len(data) * 2 // 3], declared_name=name, declared_type="")


@pytest.mark.parametrize(
    ("kind", "name"), [("JPEG", "p.jpg"), ("PNG", "p.png"), ("WEBP", "p.webp")]
)
def test_a_polyglot_is_refused(kind, name):
    # given a photo with a zip archive after its end (a file that is both)
    data = _plain(kind) + _zip()
    # when uploaded, then it is refused for what it carries after the image
    with pytest.raises(images.TrailingData):
        process_photo(data, declared_name=name, declared_type="")


def test_a_heic_polyglot_is_refused():
    with pytest.raises(images.TrailingData):
        process_photo(_heic_with_exif() + _zip(), declared_name="p.heic", declared_type="")


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (_plain("PNG"), "photo.jpg", "image/jpeg"),  # a PNG named and typed as a JPEG
        (_plain("JPEG"), "photo.jpg", "image/png"),  # name and type disagree
        (_plain("JPEG"), "photo.png", ""),  # content and name disagree
        (_plain("JPEG"), "photo.jpg", "text/html"),
    ],
)
def test_a_file_whose_name_type_and_content_disagree_is_refused(data, name, content_type):
    with pytest.raises(images.MismatchedPhoto):
        process_photo(data, declared_name=name, declared_type=content_type)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("drawing.svg", "image/svg+xml"), ("drawing.jpg", "image/jpeg"), ("drawing.png", "")],
)
def test_an_svg_is_refused_under_any_name(name, content_type):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
    with pytest.raises(images.SvgRefused):
        process_photo(svg, declared_name=name, declared_type=content_type)


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_other_formats_are_refused(kind):
    with pytest.raises(images.NotAPhoto):
        process_photo(_plain(kind), declared_name="x.jpg", declared_type="image/jpeg")


def test_a_file_over_the_byte_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with pytest.raises(images.PhotoTooLarge):
        process_photo(_plain("JPEG"), declared_name="x.jpg", declared_type="image/jpeg")


def test_every_refusal_says_why_in_words():
    for error in images.REFUSALS.values():
        assert issubclass(error, images.PhotoRefused)
        assert len(str(error().message)) > 30
