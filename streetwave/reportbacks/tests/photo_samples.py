"""Test photos: the public-domain portraits of photos/ (see photos/SOURCE.md), and a group photo
composed from them, with where each face is.

The group photo is made here rather than committed so that its faces' true positions are known:
each portrait is scaled (down to a face about 30 px wide), mirrored, turned a little or partly
covered, and pasted on a plain, slightly noisy background.
"""

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

PHOTOS = Path(__file__).parent / "photos"

# The face in each portrait, in its own pixels (left, top, width, height): forehead to chin,
# ear to ear, as a person would draw it.
PORTRAITS = {
    "astronaut.jpg": (170, 50, 110, 140),
    "grace_hopper.jpg": (160, 95, 210, 255),
    "camera.png": (180, 95, 85, 110),
}


@dataclass(frozen=True)
class Placed:
    """One portrait pasted into the group photo."""

    name: str
    scale: float
    at: tuple[int, int]
    mirrored: bool = False
    degrees: float = 0.0
    covered: bool = False  # the lower third of the face hidden (a hand, a sign, a flag)


GROUP = (
    Placed("astronaut.jpg", 0.8, (40, 60)),
    Placed("grace_hopper.jpg", 0.5, (520, 120)),
    Placed("camera.png", 1.0, (880, 40)),
    Placed("astronaut.jpg", 0.5, (1480, 90), mirrored=True, degrees=12),
    Placed("grace_hopper.jpg", 0.25, (330, 820)),
    Placed("astronaut.jpg", 0.6, (1150, 640), covered=True),
    Placed("camera.png", 0.45, (1600, 700), mirrored=True),
    Placed("astronaut.jpg", 0.3, (820, 900)),
)
GROUP_SIZE = (2000, 1300)


def portrait(name: str) -> Image.Image:
    with Image.open(PHOTOS / name) as image:
        return image.convert("RGB")


def _face_after(placed: Placed, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Where the portrait's face lands once scaled, mirrored and turned (before pasting)."""
    x, y, w, h = (v * placed.scale for v in PORTRAITS[placed.name])
    width, height = size
    if placed.mirrored:
        x = width - x - w
    if not placed.degrees:
        return x, y, w, h
    # PIL turns counter-clockwise about the centre and, with expand, grows the canvas.
    angle = math.radians(placed.degrees)
    cx, cy = width / 2, height / 2
    cos, sin = math.cos(angle), math.sin(angle)
    new_w = abs(width * cos) + abs(height * sin)
    new_h = abs(width * sin) + abs(height * cos)
    corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
    turned = [
        (
            cos * (px - cx) + sin * (py - cy) + new_w / 2,
            -sin * (px - cx) + cos * (py - cy) + new_h / 2,
        )
        for px, py in corners
    ]
    xs, ys = [p[0] for p in turned], [p[1] for p in turned]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def group_photo() -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """The composed group photo and the box of every face in it."""
    rng = np.random.default_rng(16)
    width, height = GROUP_SIZE
    ramp = np.linspace(150, 200, width, dtype=np.float64)[None, :, None]
    noise = rng.normal(0, 6, (height, width, 3))
    background = np.clip(ramp + noise + np.array([0, 5, 15]), 0, 255).astype(np.uint8)
    canvas = Image.fromarray(background, "RGB")
    faces = []
    for placed in GROUP:
        image = portrait(placed.name)
        size = (round(image.width * placed.scale), round(image.height * placed.scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
        fx, fy, fw, fh = _face_after(placed, size)
        if placed.mirrored:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        mask = Image.new("L", image.size, 255)
        if placed.degrees:
            image = image.rotate(placed.degrees, Image.Resampling.BICUBIC, expand=True)
            mask = mask.rotate(placed.degrees, expand=True)
        if placed.covered:
            draw = ImageDraw.Draw(image)
            draw.rectangle((fx - 5, fy + fh * 0.66, fx + fw + 5, fy + fh + 10), fill=(40, 60, 140))
        canvas.paste(image, placed.at, mask)
        faces.append((round(fx) + placed.at[0], round(fy) + placed.at[1], round(fw), round(fh)))
    return canvas, faces


def plain_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG of one plain colour: a photo with nothing in it."""
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, "JPEG")
    return out.getvalue()


def jpeg_bytes(image: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **params)
    return out.getvalue()
