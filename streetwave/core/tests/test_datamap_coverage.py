"""Every field that can hold something about a person is in the data map (privacy rule 7).

Walks every model of ours (streetwave.*) and fails on a field that could hold free text, an
address, an encrypted value or a file and that is neither declared personal nor declared not
personal, with a reason, in its app's `datamap.py`:

- TextField, EmailField, EncryptedTextField (any field whose name says it encrypts),
  FileField/ImageField, GenericIPAddressField and JSONField: always;
- CharField: unless it cannot hold free text: it has choices (a closed list), it is a SlugField,
  or it is id-like by name: `public_id`, or ending in `_id` (a public id of another row) or in
  `_hash` (a hash of a token, useless without it). Any other CharField is taken for free text.
"""

import dataclasses
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

from streetwave.core import datamap

_ALWAYS = (
    models.TextField,
    models.EmailField,
    models.FileField,
    models.GenericIPAddressField,
    models.JSONField,
)


def _needs_declaring(field: models.Field) -> bool:
    if "Encrypted" in type(field).__name__ or isinstance(field, _ALWAYS):
        return True
    if not isinstance(field, models.CharField) or isinstance(field, models.SlugField):
        return False
    if field.choices:
        return False
    name = field.name
    return not (name == "public_id" or name.endswith(("_id", "_hash")))


def _our_models():
    return [model for model in apps.get_models() if model.__module__.startswith("streetwave.")]


def _undeclared(model):
    model_map = datamap.map_for(model)
    declared = set()
    if model_map is not None:
        declared = set(model_map.personal_names()) | set(model_map.not_personal)
    return [
        f"{model._meta.label}.{field.name}"
        for field in model._meta.concrete_fields
        if _needs_declaring(field) and field.name not in declared
    ]


def test_every_field_that_can_hold_something_personal_is_in_the_map():
    missing = [name for model in _our_models() for name in _undeclared(model)]
    assert missing == [], "declare these in the app's datamap.py: " + ", ".join(missing)


def test_the_walk_finds_an_undeclared_field(monkeypatch):
    # given the map of RSVPs without their pseudonym
    from streetwave.actions.models import RSVP

    mapped = datamap.map_for(RSVP)
    assert mapped is not None
    without = datamap.ModelMap(
        RSVP,
        fields=[personal for personal in mapped.fields if personal.name != "pseudonym"],
        not_personal=mapped.not_personal,
    )
    monkeypatch.setitem(datamap._registry, RSVP._meta.label, without)
    # then the walk names it
    assert _undeclared(RSVP) == ["actions.RSVP.pseudonym"]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (models.CharField(max_length=8, choices=[("a", "A")]), False),
        (models.SlugField(), False),
        (models.CharField(name="public_id", max_length=16), False),
        (models.CharField(name="token_hash", max_length=64), False),
        (models.CharField(name="pseudonym", max_length=80), True),
        (models.TextField(name="note"), True),
        (models.EmailField(name="email"), True),
        (models.ImageField(name="picture"), True),
        (models.GenericIPAddressField(name="ip"), True),
        (models.IntegerField(name="count"), False),
    ],
)
def test_which_fields_need_declaring(field, expected):
    if not field.name:
        field.name = "kind"
    assert _needs_declaring(field) is expected


def test_every_declared_field_exists_and_is_declared_once():
    for model_map in datamap.maps():
        personal = model_map.personal_names()
        assert len(personal) == len(set(personal)), model_map.label
        assert not set(personal) & set(model_map.not_personal), model_map.label


def _committed_table():
    text = (Path(settings.BASE_DIR) / "docs" / "privacy.md").read_text(encoding="utf-8")
    start, end = "<!-- datamap:start -->\n", "<!-- datamap:end -->"
    assert start in text and end in text, "docs/privacy.md lost its data map markers"
    return text.split(start, 1)[1].split(end, 1)[0]


def _generated_table(*args):
    out = io.StringIO()
    call_command("datamap", *args, stdout=out)
    return out.getvalue()


def test_the_table_in_docs_privacy_is_the_one_the_map_generates():
    # If this fails: python manage.py datamap --markdown, and paste it between the markers.
    assert _committed_table() == _generated_table("--markdown")


def test_the_generated_table_changes_with_the_map(monkeypatch):
    from streetwave.actions.models import RSVP

    mapped = datamap.map_for(RSVP)
    monkeypatch.setitem(
        datamap._registry,
        RSVP._meta.label,
        dataclasses.replace(mapped, fields=[*mapped.fields, datamap.Personal("status", "s", "x")]),
    )
    assert _committed_table() != _generated_table("--markdown")


def test_the_command_says_how_big_the_map_is():
    maps = datamap.maps()
    said = _generated_table()
    assert said.startswith(f"{len(maps)} models: ")
    assert f"{sum(len(m.fields) for m in maps)} personal fields" in said
