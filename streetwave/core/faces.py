"""Finding faces in a photo, so that the pipeline can mask them.

The detector is OpenCV's Haar cascades, whose models ship inside the opencv wheel
(`cv2.data.haarcascades`): nothing is fetched at run time. A missed face is worse than a masked
sign, so everything here leans towards recall: four cascades (three frontal, one profile, the
profile also on the mirrored image, since it only knows faces turned one way), small faces,
few neighbours asked for, and every hit kept. Hits over the same face are merged into one box.
"""

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

# Detection runs on a copy whose long side is at most this: a 12-megapixel photo at full size
# costs many seconds, and a face smaller than the cascades' 18 px window at this size is one
# that is under 45 px wide in a 4,000 px photo. 1,280 missed a small turned face of the tests.
DETECT_LONG_SIDE = 1600

# Each cascade with the neighbours it asks for: 2 find the small and the partly hidden faces
# that the usual 3-5 miss, at the price of a few boxes over things that are not faces. The
# "default" cascade is the loosest of the three: with 2 it covers whole people and skylines.
_FRONTAL = (
    ("haarcascade_frontalface_alt.xml", 2),
    ("haarcascade_frontalface_alt2.xml", 2),
    ("haarcascade_frontalface_default.xml", 4),
)
_PROFILE = "haarcascade_profileface.xml"

# A 1.05 step between scales found no face more than 1.1 in the test photos, at twice the time.
_SCALE_FACTOR = 1.1
_PROFILE_NEIGHBOURS = 2
_MIN_SIZE = 18
# How near two hits must be to count as neighbours: detectMultiScale's own figure (GROUP_EPS).
_GROUP_EPS = 0.2


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: left, top, width, height."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def overlaps(self, other: "Box") -> bool:
        """Whether the two boxes share a third of their union or more: the same face.

        A looser rule lets one large box over a crowd swallow every face in it, and the mask
        then covers the whole photo."""
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.bottom, other.bottom) - max(self.y, other.y)
        if w <= 0 or h <= 0:
            return False
        common = w * h
        return common * 3 >= self.w * self.h + other.w * other.h - common

    def union(self, other: "Box") -> "Box":
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)


# Not cached: a cascade keeps the integral images of the last photo it searched (hundreds of
# megabytes for a large photo) for as long as it lives. Loading one again costs milliseconds.
def _cascade(name: str) -> cv2.CascadeClassifier:
    folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(folder + name)
    if cascade.empty():  # pragma: no cover - the wheel always ships it
        raise RuntimeError(f"OpenCV's cascade {name} is missing from its package.")
    return cascade


def _hits(
    cascade: cv2.CascadeClassifier, gray: npt.NDArray[np.uint8], neighbours: int
) -> list[Box]:
    """What detectMultiScale finds, searched one window size at a time and grouped once at the
    end as it groups them: the same windows at the same scales, so the same boxes. Over every
    size at once it holds the integral images of all the scales together, over 100 MB for a
    1,600 px copy; one size at a time needs about a tenth of that, and no more time."""
    window_w, window_h = cascade.getOriginalWindowSize()
    rows, columns = gray.shape[:2]
    raw: list[tuple[int, int, int, int]] = []
    searched: set[tuple[int, int]] = set()
    factor = 1.0  # detectMultiScale's own sequence of scales, so its windows
    while True:
        size = (round(window_w * factor), round(window_h * factor))
        if size[0] > columns or size[1] > rows:
            break
        if min(size) >= _MIN_SIZE and size not in searched:
            searched.add(size)
            found = cascade.detectMultiScale(
                gray, scaleFactor=_SCALE_FACTOR, minNeighbors=0, minSize=size, maxSize=size
            )
            raw += [(int(x), int(y), int(w), int(h)) for (x, y, w, h) in found]
        factor *= _SCALE_FACTOR
    grouped, _ = cv2.groupRectangles(raw, neighbours, _GROUP_EPS)
    return [Box(int(x), int(y), int(w), int(h)) for (x, y, w, h) in grouped]


def _upright(gray: npt.NDArray[np.uint8]) -> list[Box]:
    boxes: list[Box] = []
    for name, neighbours in _FRONTAL:
        boxes += _hits(_cascade(name), gray, neighbours)
    profile = _cascade(_PROFILE)
    boxes += _hits(profile, gray, _PROFILE_NEIGHBOURS)
    width = gray.shape[1]
    mirrored = np.ascontiguousarray(gray[:, ::-1])
    for b in _hits(profile, mirrored, _PROFILE_NEIGHBOURS):
        boxes.append(Box(width - b.right, b.y, b.w, b.h))
    return boxes


def merge(boxes: list[Box]) -> list[Box]:
    """Boxes around the same face become their common bounding box, until none overlap."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        out: list[Box] = []
        for box in merged:
            for i, kept in enumerate(out):
                if kept.overlaps(box):
                    out[i] = kept.union(box)
                    changed = True
                    break
            else:
                out.append(box)
        merged = out
    return sorted(merged, key=lambda b: (b.y, b.x))


def find_faces(rgb: npt.NDArray[np.uint8]) -> list[Box]:
    """Boxes around every face found in an RGB photo (height x width x 3), in its pixels."""
    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_LONG_SIDE / max(height, width))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    found = []
    for b in _upright(np.asarray(cv2.equalizeHist(gray), dtype=np.uint8)):
        x0, y0 = max(0, int(b.x / scale)), max(0, int(b.y / scale))
        x1, y1 = (
            min(width, int(np.ceil(b.right / scale))),
            min(height, int(np.ceil(b.bottom / scale))),
        )
        if x1 > x0 and y1 > y0:
            found.append(Box(x0, y0, x1 - x0, y1 - y0))
    return merge(found)
