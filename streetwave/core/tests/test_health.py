import json

import pytest

from .test_settings import run_python


@pytest.mark.django_db
def test_healthz_answers_ok_with_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "ok"


def test_healthz_names_an_unreachable_database_and_answers_503(tmp_path):
    # A real process whose database is a closed port on loopback: nothing is mocked.
    result = run_python(
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='127.0.0.1').get('/healthz'); "
        "print(json.dumps([r.status_code, r.json()]))",
        {
            "STREETWAVE_DEV": "1",
            "STREETWAVE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        },
    )
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "failing", "database": "failing", "cache": "ok"}
