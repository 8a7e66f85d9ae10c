"""Where a request's time goes, measured while requests arrive at a fixed rate.

Two measurements over the same 15 seconds:
- the CPU time (from /proc) of the web workers, of the PostgreSQL backends and of Redis, per
  answered request: on a machine where they and the load generator share two cores, CPU is
  what limits the rate;
- py-spy samples of every web worker, each charged to the innermost line of Streetwave's own
  code on its stack (the statement that caused the work) and marked with the library it was in
  (psycopg, the Redis client, Celery publishing, ...). py-spy counts a thread that is runnable
  but waiting for a core as active, so under load the shares include that wait; samples of a
  worker's loop between requests are left out. The shares split the workers' measured CPU.

The control site is profiled the same way, for comparison. py-spy is not a project
dependency: `pip install py-spy` into the venv to get these sections.
"""

import asyncio
import linecache
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import psycopg
import redis

from . import loadgen
from .servers import ROOT, worker_pids

# (group, path fragment): the first fragment found in a frame's file names its group.
LIBRARIES = (
    ("PostgreSQL round trip (psycopg)", "/psycopg/"),
    ("Redis round trip", "/redis/"),
    ("Celery publish (kombu)", "/kombu/"),
    ("Celery publish (kombu)", "/celery/"),
    ("encryption / hashing", "/cryptography/"),
    ("Django ORM", "/django/db/"),
    ("templates", "/django/template/"),
    ("django-ninja / pydantic", "/ninja/"),
    ("django-ninja / pydantic", "/pydantic"),
    ("middleware", "/django/middleware/"),
    ("middleware", "/django/contrib/"),
    ("middleware", "/allauth/"),
    ("middleware", "/whitenoise/"),
    ("Django request handling", "/django/"),
    ("gunicorn", "/gunicorn/"),
)
# Samples a second: enough for shares of a few percent in 15 s.
RATE = 250
FRAME = re.compile(r"^(?P<function>.+) \((?P<file>[^():]+):(?P<line>\d+)\)$")


def available() -> bool:
    return shutil.which("py-spy") is not None or (Path(ROOT) / ".venv/bin/py-spy").exists()


def _py_spy() -> str:
    return shutil.which("py-spy") or str(Path(ROOT) / ".venv/bin/py-spy")


def profile(
    site,
    master_pid: int,
    output: Path,
    make_request,
    *,
    rate: float,
    database: str,
    on_response=None,
    port: int | None = None,
    seconds: int = 15,
) -> dict:
    """Sample the workers for `seconds` while requests arrive at `rate`; the folded stacks stay
    in `output` (for a flame graph). Also the CPU time the web workers, the PostgreSQL backends
    of `database` and Redis spent per answered request, read from /proc."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = f"record --pid {master_pid} --subprocesses --nonblocking --rate {RATE} "
    command += f"--duration {seconds} --format raw --full-filenames --output {output}"
    # Backends come and go (CONN_MAX_AGE ends a connection after 60 s): count each process
    # alive at the end from its CPU at the start, or from zero if it is new.
    find = {
        "web_workers": lambda: worker_pids(master_pid),
        "postgresql": lambda: _backends(database),
        "redis": lambda: [_redis_pid()],
    }
    before = {name: cpu_by_pid(pids()) for name, pids in find.items()}
    spy = subprocess.Popen(  # noqa: S603 a fixed command line
        [_py_spy(), *command.split()], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    result = asyncio.run(
        loadgen.run(
            "127.0.0.1",
            port or site.streetwave_port,
            rate=rate,
            duration=seconds,
            make_request=make_request,
            on_response=on_response,
        )
    )
    _out, errors = spy.communicate(timeout=seconds + 60)
    answered = max(1, result.ok_count)
    cpu_ms = {}
    for name, pids in find.items():
        spent = sum(now - before[name].get(pid, 0.0) for pid, now in cpu_by_pid(pids()).items())
        cpu_ms[name] = round(spent / answered * 1000, 2)
    if not output.exists():
        return {"status": "py-spy failed", "error": errors.decode(errors="replace")[-500:]}
    return _summary(_parse(output.read_text()), result, seconds, cpu_ms)


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds of each process still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        # utime and stime, fields 14 and 15 of stat(5), counted after the command name.
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def _backends(database: str) -> list[int]:
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres") as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return [pid for (pid,) in rows]


def _redis_pid() -> int:
    return int(redis.Redis(host="127.0.0.1").info("server")["process_id"])


def _parse(folded: str) -> Counter:
    """(Streetwave line, library) -> samples, from py-spy's folded stacks."""
    samples: Counter = Counter()
    for line in folded.splitlines():
        stack, _sep, count = line.rpartition(" ")
        parts = stack.split(";")
        frames = [frame for frame in map(FRAME.match, parts) if frame]
        # Only workers (the master's samples name one process, a worker's two), and not a
        # worker's loop between requests: py-spy counts a thread woken but still waiting for a
        # core as active, and on a saturated machine that loop shows up.
        if sum(part.startswith("process ") for part in parts) < 2 or not frames:
            continue
        if any(loop in frames[-1]["file"] for loop in ("gunicorn/workers/", "gunicorn/arbiter")):
            continue
        samples[(_own_line(frames), _library(frames))] += int(count)
    return samples


def _own_line(frames) -> str:
    for frame in reversed(frames):
        path = frame["file"]
        if "/streetwave/" in path or path.startswith("streetwave/"):
            relative = path[path.index("streetwave/") :]
            source = linecache.getline(str(ROOT / relative), int(frame["line"])).strip()
            return f"{relative}:{frame['line']} {frame['function']}: {source[:70]}"
    return "outside any Streetwave line (gunicorn, middleware, routing, response)"


def _library(frames) -> str:
    for frame in reversed(frames):
        for group, fragment in LIBRARIES:
            if fragment in frame["file"]:
                return group
    return "Python (own code)"


def _summary(samples: Counter, result: loadgen.LoadResult, seconds: int, cpu_ms: dict) -> dict:
    """Shares of the sampled worker time per line and per library, turned into milliseconds of
    the workers' measured CPU per request."""
    total = sum(samples.values()) or 1
    per_request_ms = cpu_ms["web_workers"]
    by_line: Counter = Counter()
    by_library: Counter = Counter()
    for (line, library), count in samples.items():
        by_line[line] += count
        by_library[library] += count
    return {
        "rate": round(result.offered_rate, 1),
        "seconds": seconds,
        "load": result.summary(),
        "cpu_ms_per_request": cpu_ms,
        "samples": sum(samples.values()),
        "top_lines": [
            {
                "line": line,
                "share": round(count / total, 3),
                "ms_per_request": round(per_request_ms * count / total, 2),
                "libraries": {
                    library: round(samples[(line, library)] / count, 2)
                    for library in sorted(by_library)
                    if samples[(line, library)]
                },
            }
            for line, count in by_line.most_common(12)
        ],
        "by_library": {
            library: {
                "share": round(count / total, 3),
                "ms_per_request": round(per_request_ms * count / total, 2),
            }
            for library, count in by_library.most_common()
        },
    }
