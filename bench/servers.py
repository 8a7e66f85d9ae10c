"""Processes the harness starts and stops: gunicorn for Streetwave and for the control site, and
(in the CI test) a Celery worker and beat. Each runs in its own session, so stopping it stops its
children too, and `Processes` stops every one of them on the way out, also after a failure."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import redis
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
PG = "postgres://postgres@127.0.0.1:5432"


def manage(env: dict, *args: str) -> str:
    """Run manage.py with `env` (a site of its own) and return what it printed."""
    return subprocess.run(  # noqa: S603 our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


@contextlib.contextmanager
def fresh_database(prefix: str):
    """A new, empty PostgreSQL database on the machine's server, dropped afterwards; yields its
    URL."""
    name = f"{prefix}_{free_port()}"
    recreate_databases([name])
    try:
        yield f"{PG}/{name}"
    finally:
        recreate_databases([name], drop_only=True)


def recreate_databases(names: list[str], *, drop_only: bool = False) -> None:
    """Drop the databases `names` (whoever is connected), and create them empty again."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            if not drop_only:
                admin.execute(f"CREATE DATABASE {name}")


def empty_redis(*urls: str) -> None:
    for url in urls:
        redis.Redis.from_url(url).flushdb()


def mail_to_sink(port: int) -> dict[str, str]:
    """Settings that send the site's mail to the SMTP sink on `port`."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DEFAULT_FROM_EMAIL": "Streetwave <noreply@127.0.0.1>",
    }


@contextlib.contextmanager
def smtp_sink(handler):
    """An SMTP server (aiosmtpd, in this process) on 127.0.0.1 that hands every mail to
    `handler`; yields its port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(
    *,
    database_url: str,
    redis_url: str,
    broker_url: str,
    var_dir: Path,
    site_url: str,
    **extra: str,
) -> dict[str, str]:
    """Production-like settings for one run: fresh keys, services on loopback, plain HTTP (there
    is no TLS on loopback, hence HTTPS=0), nothing of the development defaults."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"STREETWAVE_DEV", "DEBUG", "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BLIND_INDEX_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=site_url,
        HTTPS="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=broker_url,
        STREETWAVE_VAR_DIR=str(var_dir),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def migrated_site(database_prefix: str, handler, *, redis_url: str, broker_url: str, **settings):
    """What a CI test of the processes runs against: a fresh PostgreSQL database, migrated; an
    SMTP sink that hands every mail to `handler`; the Redis databases `redis_url` and
    `broker_url`, emptied before and after. Yields production-like settings using them (and
    `settings`: the var dir, the site's URL, anything else; see `production_env`) and the
    database's URL."""
    with fresh_database(database_prefix) as database_url, smtp_sink(handler) as smtp_port:
        env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            broker_url=broker_url,
            **mail_to_sink(smtp_port),
            **settings,
        )
        empty_redis(redis_url, broker_url)
        try:
            manage(env, "migrate", "--noinput", "-v0")
            yield env, database_url
        finally:
            empty_redis(redis_url, broker_url)


class Processes:
    """Started processes, stopped in reverse order when the block ends, whatever happened."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen]] = []

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_all()

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 our own fixed command lines
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, process: subprocess.Popen, timeout: float = 20.0) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        self.started = [(name, p) for name, p in self.started if p is not process]

    def stop_all(self) -> None:
        for _name, process in reversed(self.started):
            self.stop(process)


def start_gunicorn(
    processes: Processes, name: str, wsgi: str, port: int, env: dict[str, str], workers: int
) -> subprocess.Popen:
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_PROC_NAME": name,
    }
    argv = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), wsgi]
    return processes.start(name, argv, env)


def start_worker(
    processes: Processes,
    name: str,
    env: dict[str, str],
    *,
    concurrency: int,
    queues: str | None = None,
) -> subprocess.Popen:
    """A Celery worker, taking one task at a time per process; from `queues` (comma-separated)
    only, or from every queue of the settings."""
    argv = [
        str(VENV_BIN / "celery"), "-A", "streetwave", "worker", "--loglevel=info",
        f"--concurrency={concurrency}", "--prefetch-multiplier=1", f"--hostname={name}@%h",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return processes.start(name, argv + ([f"--queues={queues}"] if queues else []), env)


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until `url` answers 200; fails at once if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 loopback URL
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def memory_kib(pid: int) -> dict[str, int]:
    """Resident (RSS) and proportional (PSS: shared pages split among sharers) memory."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _sep, rest = line.partition(":")
        if name in {"Rss", "Pss"}:
            values[name.lower()] = int(rest.split()[0])
    return values


def workers_memory(master_pid: int) -> dict:
    per_worker = [memory_kib(pid) for pid in worker_pids(master_pid)]
    return {
        "workers": len(per_worker),
        "max_rss_mb": round(max(item["rss"] for item in per_worker) / 1024, 1),
        "mean_rss_mb": round(sum(item["rss"] for item in per_worker) / len(per_worker) / 1024, 1),
        "max_pss_mb": round(max(item["pss"] for item in per_worker) / 1024, 1),
    }
