"""Django's deployment checklist (`manage.py check --deploy`) passes on the production settings:
the settings module loaded afresh in its own process, from the environment production sets
(.env.example's required block, deploy/compose.yaml's services) with throwaway secrets, and
without STREETWAVE_DEV or DEBUG. Any warning fails the test, as it would fail the check."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]


def production_environment(var_dir: Path) -> dict[str, str]:
    return {
        # Throwaway secrets, made for this run: the settings refuse to invent them here.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "streetwave.example.org",
        "SITE_URL": "https://streetwave.example.org",
        # As deploy/compose.yaml: nothing connects to them during the checks.
        "DATABASE_URL": "postgres://streetwave:secret@postgres:5432/streetwave",
        "REDIS_URL": "redis://redis-cache:6379/0",
        "CELERY_BROKER_URL": "redis://redis-broker:6379/0",
        "TRUSTED_PROXY_COUNT": "1",
        "PHOTOS_S3_BUCKET": "streetwave-photos",
        "PHOTOS_S3_ENDPOINT_URL": "http://minio:9000",
        "PHOTOS_S3_ACCESS_KEY_ID": "streetwave",
        "PHOTOS_S3_SECRET_ACCESS_KEY": secrets.token_urlsafe(20),
        "STREETWAVE_VAR_DIR": str(var_dir),
    }


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="clear-web"),
        # The same instance beside its onion service (docs/deploy.md, "Onion service").
        pytest.param({"STREETWAVE_ONION_HOST": "a" * 56 + ".onion"}, id="with-onion"),
    ],
)
def test_check_deploy_finds_nothing_in_production_settings(tmp_path, extra):
    # Only what production sets: no STREETWAVE_DEV, no DEBUG, nothing of the test run's own.
    environment = {"PATH": "/usr/bin:/bin", **production_environment(tmp_path), **extra}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
