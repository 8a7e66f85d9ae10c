"""The photo and face recall benchmarks run end to end and report what bench/README.md says.

Not run by .ci/run (they take about two minutes on two shared cores): run them by hand with

    STREETWAVE_DEV=1 .venv/bin/pytest -p no:django --noconftest \
        -W ignore::pytest.PytestConfigWarning bench/test_photos.py
"""

import json
import os
import subprocess
import sys

from bench.photos import GOAL, ROOT


def test_the_photo_benchmark_reports_both_loops_their_ratio_and_memory(tmp_path):
    # given one photo per loop, results written to a folder of the test's own
    out = tmp_path / "photos.json"
    env = {**os.environ, "STREETWAVE_DEV": "1", "STREETWAVE_VAR_DIR": str(tmp_path / "var")}
    # when the benchmark runs
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.photos", "--photos", "1", "--out", str(out)],
        cwd=ROOT, env=env, check=True, timeout=900,
    )  # fmt: skip
    # then both loops processed photos, and the ratio and memory per photo are there
    result = json.loads(out.read_text())
    assert result["pipeline"]["photos_per_second"] > 0
    assert result["bare_after"]["photos_per_second"] > 0
    assert result["goal"] == GOAL
    assert (
        0
        < result["ratio"]
        == result["pipeline"]["photos_per_second"]
        / max(result["bare_before"]["photos_per_second"], result["bare_after"]["photos_per_second"])
    )
    assert result["peak_mb_per_photo"] > 0
    # and the detector's share of a photo's time, and the ratio without it
    pipeline = result["pipeline"]
    assert 0 < pipeline["detect_seconds_per_photo"] < pipeline["seconds_per_photo"]
    assert result["ratio"] < result["ratio_without_detection"]
    assert 0 < result["cpu_ratio"] < 1


def test_the_recall_benchmark_counts_the_faces_each_detector_covers(tmp_path):
    # given one canvas of 30 faces, results written to a folder of the test's own
    out = tmp_path / "face_recall.json"
    env = {**os.environ, "STREETWAVE_DEV": "1", "STREETWAVE_VAR_DIR": str(tmp_path / "var")}
    # when the recall benchmark runs
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.face_recall", "--canvases", "1", "--out", str(out)],
        cwd=ROOT, env=env, check=True, timeout=900,
    )  # fmt: skip
    # then each detector found some of the 30 faces, and the two together no fewer than either
    result = json.loads(out.read_text())
    alone = [result[key]["found"] for key in ("find_faces", "mtcnn")]
    assert all(0 < found <= 30 for found in alone)
    assert max(alone) <= result["either"]["found"] <= 30
    assert sum(v["faces"] for v in result["find_faces"]["by_width"].values()) == 30
