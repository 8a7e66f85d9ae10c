"""PostgreSQL clusters of a test's own (initdb in a temporary folder, a free port): a primary,
and a streaming replica made from it with pg_basebackup. The machine's PostgreSQL is never
touched, so a test may stop, restart or pause them."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

from bench.servers import free_port

PG_BIN = Path(
    subprocess.run(
        ["pg_config", "--bindir"],  # noqa: S607 PostgreSQL's own tool, from the PATH
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
)


def as_postgres(*argv: str) -> list[str]:
    """PostgreSQL refuses to run as root: as root (CI), its commands run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


def pg(*argv: str, timeout: float = 120) -> None:
    command = as_postgres(*argv)
    subprocess.run(command, check=True, timeout=timeout, capture_output=True)  # noqa: S603 ours


class Cluster:
    """A PostgreSQL cluster of the test's own, on 127.0.0.1:`port`."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    def start(self) -> None:
        pg(
            str(PG_BIN / "pg_ctl"),
            "--wait",
            f"--pgdata={self.folder}",
            f"--log={self.folder}/server.log",
            "--options",
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c hot_standby=on",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg(str(PG_BIN / "pg_ctl"), f"--pgdata={self.folder}", "--mode=fast", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "streetwave") -> list[tuple]:
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []


@contextlib.contextmanager
def own_clusters(*, replica: bool) -> Iterator[tuple[Cluster, Cluster | None]]:
    """A started primary with an empty database "streetwave" and, if asked, its streaming
    replica; both stopped and their folders removed afterwards, whatever happened."""
    root = Path(tempfile.mkdtemp(prefix="streetwave-clusters-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(root / "primary", free_port())
    standby = Cluster(root / "replica", free_port()) if replica else None
    try:
        pg(
            str(PG_BIN / "initdb"),
            "--auth=trust",
            "--username=postgres",
            f"--pgdata={primary.folder}",
        )
        with (primary.folder / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        primary.query("CREATE DATABASE streetwave", "postgres")
        if standby is not None:
            pg(
                str(PG_BIN / "pg_basebackup"),
                "--host=127.0.0.1",
                f"--port={primary.port}",
                "--username=postgres",
                f"--pgdata={standby.folder}",
                "--wal-method=stream",
                "--write-recovery-conf",
            )
            standby.start()
        yield primary, standby
    finally:
        if standby is not None:
            standby.stop()
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)
