import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 64 + "production-only-secret-for-this-test",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "BLIND_INDEX_KEY": "b" * 64,
    "ALLOWED_HOSTS": "streetwave.example.org",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "STREETWAVE_DEV",
            "DEBUG",
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
            "BLIND_INDEX_KEY",
            "CELERY_BROKER_URL",
            "EMAIL_HOST",
        }
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "streetwave.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'cache': s.CACHES['default']['BACKEND'], 'broker': s.CELERY_BROKER_URL}))"
)


def test_without_database_url_the_embedded_defaults_apply(tmp_path):
    result = run_python(SHOW, {"STREETWAVE_DEV": "1", "STREETWAVE_VAR_DIR": str(tmp_path)})
    shown = json.loads(result.stdout)
    assert shown == {
        "engine": "django.db.backends.sqlite3",
        "cache": "streetwave.core.file_cache.SharedFileCache",
        "broker": "filesystem://",
    }


def test_database_url_and_redis_url_switch_to_postgresql_and_redis(tmp_path):
    result = run_python(
        SHOW,
        {
            "STREETWAVE_DEV": "1",
            "STREETWAVE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://u:p@db.internal:5432/streetwave",
            "REDIS_URL": "redis://cache.internal:6379/0",
        },
    )
    shown = json.loads(result.stdout)
    assert shown == {
        "engine": "streetwave.core.postgresql",
        "cache": "streetwave.core.redis_cache.ReusedClientRedisCache",
        "broker": "redis://cache.internal:6379/0",
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**PRODUCTION_ENV, "STREETWAVE_VAR_DIR": str(tmp_path)}
    del env["SECRET_KEY"]
    result = run_python(SHOW, env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "keys").exists()


def test_dev_keys_are_generated_once_and_kept(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    env = {"STREETWAVE_DEV": "1", "STREETWAVE_VAR_DIR": str(tmp_path)}
    first, second = run_python(code, env), run_python(code, env)
    assert first.stdout == second.stdout and len(first.stdout.strip()) > 50
    assert (tmp_path / "keys" / "secret_key").stat().st_mode & 0o077 == 0


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {**PRODUCTION_ENV, "STREETWAVE_VAR_DIR": str(tmp_path)}
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
