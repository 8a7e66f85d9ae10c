"""Processes the harness starts and stops: gunicorn for Streetwave and for the control site, nginx
with the production configuration in front of it, and (in the CI tests) a Celery worker and
beat. Each runs in its own session, so stopping it stops its children too, and `Processes` stops
every one of them on the way out, also after a failure."""

import contextlib
import getpass
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
            database_url=database_url, redis_url=redis_url, broker_url=broker_url, **settings
        )
        env.update(mail_to_sink(smtp_port))
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


NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"
# deploy/nginx.conf as it runs on loopback: the template's variables filled in, plain HTTP on
# free ports instead of 80 and 443 (no TLS on loopback: the certificate lines go), and its
# files under a folder of the run. Each replacement must match exactly as often as said, so a
# change of the production file that this would silently miss fails instead.
_LOOPBACK_EDITS = (
    # (what, by what, how many times, comments included)
    ("    listen [::]:80;\n", "", 1),
    ("    listen [::]:443 ssl http2;\n", "", 1),
    ("listen 80;", "listen 127.0.0.1:{redirect_port};", 1),
    ("listen 443 ssl http2;", "listen 127.0.0.1:{port};", 1),
    ("${STREETWAVE_WEB}", "{web}", 2),
    ("${STREETWAVE_HOST}", "127.0.0.1", 5),
    ("/var/log/nginx/", "{folder}/", 2),
    ("/var/cache/nginx/", "{folder}/cache/", 1),
    ("/var/lib/streetwave/static/", "{static}/", 1),
)


def nginx_conf(
    *, port: int, web: str | list[str], folder: Path, static: Path, extra: str = ""
) -> str:
    """A whole nginx configuration: deploy/nginx.conf on loopback (see _LOOPBACK_EDITS), serving
    on `port` in front of the gunicorn at `web` (or of each of several web nodes, as many
    `server` lines in the upstream), and `extra` (more server blocks) beside it."""
    site = NGINX_CONF.read_text()
    webs = [web] if isinstance(web, str) else web
    values = {
        "port": port,
        "redirect_port": free_port(),
        "web": webs[0],
        "folder": folder,
        "static": static,
    }
    for old, new, times in _LOOPBACK_EDITS:
        found = site.count(old)
        if found != times:
            raise RuntimeError(f"deploy/nginx.conf: {old!r} found {found} times, not {times}")
        site = site.replace(old, new.format(**values))
    site = site.replace(
        f"    server {webs[0]};\n", "".join(f"    server {node};\n" for node in webs), 1
    )
    site = "\n".join(line for line in site.splitlines() if not line.strip().startswith("ssl_"))
    # As root (CI), the workers would otherwise run as "nobody" and find the folder closed.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
daemon off;
worker_processes auto;
pid {folder}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{temp}
{site}
{extra}
}}
"""


def nginx_static_server(port: int, root: Path, folder: Path) -> str:
    """A server block for nginx_conf's `extra`: the files under `root` on 127.0.0.1:`port`,
    logged as the site's answers are. The ceiling of the reads through the same nginx."""
    return f"""server {{
    listen 127.0.0.1:{port};
    access_log {folder}/ceiling.access.log streetwave_private;
    root {root};
}}"""


def start_nginx(
    processes: Processes,
    name: str,
    *,
    port: int,
    web: str | list[str],
    static: Path,
    extra: str = "",
) -> subprocess.Popen:
    """nginx with deploy/nginx.conf on 127.0.0.1:`port` (see nginx_conf), its configuration,
    logs and cache in the processes' log folder; checked with `nginx -t` first."""
    folder = processes.log_dir / name
    # nginx makes the last folder of proxy_cache_path itself, as /var/cache/nginx/streetwave.
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(port=port, web=web, folder=folder, static=static, extra=extra))
    argv = [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
    subprocess.run([*argv, "-t", "-q"], check=True, timeout=30)  # noqa: S603 fixed command line
    return processes.start(name, argv, dict(os.environ))
