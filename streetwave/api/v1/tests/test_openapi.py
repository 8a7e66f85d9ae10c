"""The published schema and the docs page."""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi.json"
REFRESH = "UPDATE_API_SNAPSHOT=1 STREETWAVE_DEV=1 .venv/bin/pytest streetwave/api -k snapshot"


def test_the_served_schema_matches_the_committed_snapshot(client, db):
    served = client.get("/api/v1/openapi.json", headers={"accept-language": "fa"}).json()

    if os.environ.get("UPDATE_API_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(served, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    committed = json.loads(SNAPSHOT.read_text())

    assert served == committed, (
        "The API schema differs from streetwave/api/v1/openapi.json. If the change is meant, "
        f"refresh the snapshot with `{REFRESH}`, review the diff and commit it; clients of v1 "
        "must keep working."
    )


def test_the_schema_does_not_depend_on_the_readers_language(client, db):
    english = client.get("/api/v1/openapi.json", headers={"accept-language": "en"}).content
    persian = client.get("/api/v1/openapi.json", headers={"accept-language": "fa"}).content

    assert english == persian


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]
        if tag == "script" and "src" not in attributes:
            self._script_type = attributes.get("type") or "text/javascript"
        if tag == "style":
            self.inline_scripts.append("style")

    def handle_data(self, data):
        # A JSON data block is never executed, so the CSP allows it.
        if self._script_type not in (None, "application/json") and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None


@pytest.fixture
def docs_page(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    return response


def test_the_docs_page_loads_everything_from_our_own_origin(docs_page):
    html = docs_page.content.decode()
    assets = _Assets()
    assets.feed(html)

    assert assets.urls, "the page should load swagger-ui from our static files"
    assert all(url.startswith("/static/") for url in assets.urls), assets.urls
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE)
    # swagger-ui would otherwise show a badge image from validator.swagger.io
    assert '"validatorUrl": null' in html


def test_the_docs_page_runs_under_the_site_csp(docs_page):
    assets = _Assets()
    assets.feed(docs_page.content.decode())

    assert "script-src 'self'" in docs_page["Content-Security-Policy"]
    assert assets.inline_scripts == []
