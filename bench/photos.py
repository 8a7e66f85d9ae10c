"""Photos processed per second per worker, beside a bare loop that only decodes and re-encodes
the same file with the same library (Pillow), and the worker's peak memory per photo.

The photo is a 12-megapixel phone-sized JPEG (4,000 x 3,000) with eight faces: the group photo
of the face tests (streetwave/reportbacks/tests/photo_samples.py) enlarged. Each measurement runs
in a subprocess of its own, one photo at a time like a Celery worker of concurrency 1, so its
peak resident memory above its size before the timed runs is that of one photo (Linux's
VmHWM, reset through /proc/self/clear_refs after the warm-up). The bare loop runs before and
after the pipeline and the higher pass divides (bench/README.md, "Why ratios"). Goal
(issue 16): pipeline / bare >= 0.5. The time the face detector takes is measured apart, and the
ratio the pipeline would reach without it: what is left to win outside the detector. The CPU
time per photo (all of the process's threads) is given too: on a machine that other work keeps
busy, its ratio moves far less than the ratio of the wall-clock rates.

    .venv/bin/python -m bench.photos [--photos 5]      # results in bench/results/photos.json
"""

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from streetwave.core.faces import Box

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GOAL = 0.5
SIZE = (4000, 3000)


def make_photo(path: Path) -> None:
    from streetwave.reportbacks.tests.photo_samples import group_photo

    group, _ = group_photo()
    canvas = Image.new("RGB", SIZE, (170, 175, 185))
    enlarged = group.resize((SIZE[0], SIZE[0] * group.height // group.width))
    canvas.paste(enlarged, (0, (SIZE[1] - enlarged.height) // 2))
    canvas.save(path, "JPEG", quality=92)


def _bare(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image.save(io.BytesIO(), "JPEG", quality=85)


def _pipeline(data: bytes) -> None:
    from streetwave.core.images import process_photo

    process_photo(data, declared_name="photo.jpg", declared_type="image/jpeg")


def _time_detector(spent: list[float]) -> None:
    """Add the seconds of every call to the face detector to `spent`. The pipeline finds it by
    name in its own module at each call, so the timed one goes there."""
    from streetwave.core import images

    detect = images.find_faces

    def timed(image: Image.Image) -> list[Box]:
        started = time.perf_counter()
        try:
            return detect(image)
        finally:
            spent.append(time.perf_counter() - started)

    images.find_faces = timed


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(kind: str, path: Path, photos: int) -> dict[str, float]:
    """In this process: warm up once, then time `photos` runs. Memory: the resident size before
    the timed runs, and the peak during them (Linux's peak is reset first through clear_refs,
    so the imports' own peak does not hide the photos')."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetwave.settings")
    django.setup()
    data = path.read_bytes()
    detecting: list[float] = []
    if kind == "pipeline":
        _time_detector(detecting)
    work = _pipeline if kind == "pipeline" else _bare
    work(data)
    detecting.clear()
    before = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(photos):
        work(data)
    seconds = time.perf_counter() - started
    return {
        "photos_per_second": photos / seconds,
        "seconds_per_photo": seconds / photos,
        "cpu_seconds_per_photo": (time.process_time() - cpu_started) / photos,
        "detect_seconds_per_photo": sum(detecting) / photos,
        "rss_before_mb": before,
        "peak_rss_mb": _status_mb("VmHWM"),
        "peak_mb_per_photo": _status_mb("VmHWM") - before,
    }


def _run(kind: str, path: Path, photos: int) -> dict[str, float]:
    env = {**os.environ, "STREETWAVE_DEV": os.environ.get("STREETWAVE_DEV", "1")}
    out = subprocess.run(  # noqa: S603 - our own interpreter and module, arguments we build
        [sys.executable, "-m", "bench.photos", "--measure", kind, "--file", str(path),
         "--photos", str(photos)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=900,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(photos: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "phone.jpg"
        make_photo(path)
        bare_before = _run("bare", path, photos * 4)
        pipeline = _run("pipeline", path, photos)
        bare_after = _run("bare", path, photos * 4)
    bare = max(bare_before, bare_after, key=lambda r: r["photos_per_second"])
    ratio = pipeline["photos_per_second"] / bare["photos_per_second"]
    rest = pipeline["seconds_per_photo"] - pipeline["detect_seconds_per_photo"]
    return {
        "photo": {"pixels": SIZE[0] * SIZE[1], "size": list(SIZE), "faces": 8},
        "pipeline": pipeline,
        "bare_before": bare_before,
        "bare_after": bare_after,
        "ratio": ratio,
        "goal": GOAL,
        "met": ratio >= GOAL,
        "detect_share": pipeline["detect_seconds_per_photo"] / pipeline["seconds_per_photo"],
        "ratio_without_detection": bare["seconds_per_photo"] / rest,
        "cpu_ratio": bare["cpu_seconds_per_photo"] / pipeline["cpu_seconds_per_photo"],
        "peak_mb_per_photo": pipeline["peak_mb_per_photo"],
        "bare_peak_mb_per_photo": bare["peak_mb_per_photo"],
        "worker_rss_before_mb": pipeline["rss_before_mb"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": list(os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--measure", choices=["pipeline", "bare"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--out", type=Path, default=RESULTS / "photos.json")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.file, args.photos)))
        return
    result = run(args.photos)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    pipeline, bare = (
        result["pipeline"],
        max(result["bare_before"], result["bare_after"], key=lambda r: r["photos_per_second"]),
    )
    print(
        f"pipeline {pipeline['photos_per_second']:.2f} photos/s, "
        f"bare {bare['photos_per_second']:.2f} photos/s, "
        f"ratio {result['ratio']:.3f} (goal >= {GOAL}), "
        f"detection {pipeline['detect_seconds_per_photo']:.2f} of "
        f"{pipeline['seconds_per_photo']:.2f} s per photo "
        f"(ratio without it {result['ratio_without_detection']:.2f}), "
        f"CPU time ratio {result['cpu_ratio']:.3f}, "
        f"peak {result['peak_mb_per_photo']:.0f} MB per photo "
        f"(bare {result['bare_peak_mb_per_photo']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
