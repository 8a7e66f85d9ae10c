"""The data map: every personal field of every model, declared in code by the app that owns it.

Each app declares its models in its own `datamap.py` (found like admin modules, by
`load()`), with `register(ModelMap(...))`: for each personal field what it is (its label, also
its label in an export) and who may see it; for the model how long its personal data lives and
relative to what (`expires`: the rows past their time), how it is erased (its personal fields
blanked, or the row deleted) and whose data it is (`owners`: an RSVP's, an account's). Fields
that look personal but are not (a hub's public name) are declared in `not_personal` with the
reason. A test fails on a field of free text, an address, an encrypted value or a file that is
neither (streetwave/core/tests/test_datamap_coverage.py).

The map drives retention (`expire`, run by the one retention job, audit.tasks), a person's own
export (`collect`) and erasure (`erase_owned`), and the table of docs/privacy.md
(`manage.py datamap --markdown`). Core imports no domain model: the declarations hand it theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

# A translated text (gettext_lazy) or a plain one.
Text = str | Promise

# Whose data a row holds: the people who may download or erase it themselves.
Owner = Literal["rsvp", "account"]

# How a model's personal data goes: its personal fields blanked ("" or None, or the field's
# default), or the whole row deleted.
Erase = Literal["blank", "delete"]

# Rows of a model past their time, given the time now.
Expiry = Callable[[dt.datetime], "QuerySet[Any]"]

# How a model's rows are found from their owner's primary key: a lookup path to the owner
# ("pk" for the owner's own row, "reporter_rsvp" for a foreign key), or a function making the
# filter (a delivery names its RSVP as "rsvp:<id>").
OwnerLookup = str | Callable[[int], Q]


@dataclass(frozen=True)
class Owned:
    """How one owner's rows of a model are found, and which of their fields are the owner's.

    With no `fields`, all the model's erased personal fields are, and the owner's erasure
    erases the rows as the model declares (blanked or deleted). With `fields`, only those are
    exported to the owner and blanked on their erasure, and the row stays: an incident a
    supporter reported loses its reporter, not its text."""

    lookup: OwnerLookup
    fields: Sequence[str] = ()


@dataclass(frozen=True)
class Personal:
    """One personal field: its name on the model, what it is (its label in an export too) and
    who may see it."""

    name: str
    label: Text
    seen_by: Text
    # Left out of a person's export (a hash, a secret token, a link to another row): still
    # erased, still in the map.
    exported: bool = True
    # Erased with the rest of the row's personal data (by retention, or by its owner). A field
    # kept while the row exists says so in `lives` (a report's own words stay with it).
    erased: bool = True
    # How long this field lives, when not as long as the model's other personal fields.
    lives: Text = ""


@dataclass(frozen=True)
class ModelMap:
    """What one model keeps about people, how long, and how it goes."""

    model: type[models.Model]
    fields: Sequence[Personal] = ()
    # Fields that could look personal but are not, with why (field name -> reason).
    not_personal: Mapping[str, Text] = field(default_factory=dict)
    # How long the personal data lives, relative to what (for people and for the docs).
    lives: Text = ""
    # The rows past their time and still holding personal data; None when the data goes
    # with another row (a note with its incident) or by a service (a token once sent).
    expires: Expiry | None = None
    erase: Erase = "blank"
    # Set on the row too when its personal fields are blanked (a flag, an erasure time).
    also: Callable[[dt.datetime], dict[str, Any]] | None = None
    # Whose data it is, and how their rows are found.
    owners: Mapping[Owner, Owned] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    def personal_names(self) -> list[str]:
        return [personal.name for personal in self.fields]

    def rows_of(self, owner: Owner, pk: int) -> QuerySet[Any] | None:
        """The rows of this model that hold `owner` `pk`'s data; None when it holds none."""
        owned = self.owners.get(owner)
        if owned is None:
            return None
        lookup = owned.lookup
        where = lookup(pk) if callable(lookup) else Q(**{lookup: pk})
        return self.model._default_manager.filter(where)

    def fields_of(self, owner: Owner) -> list[Personal]:
        """The personal fields that are `owner`'s."""
        owned = self.owners.get(owner)
        if owned is None:
            return []
        if owned.fields:
            return [personal for personal in self.fields if personal.name in owned.fields]
        return list(self.fields)

    def blank_values(self, now: dt.datetime, names: Sequence[str] | None = None) -> dict[str, Any]:
        """The values that erase this model's erased personal fields, plus `also` (or only the
        fields `names`)."""
        values: dict[str, Any] = {}
        for personal in self.fields:
            chosen = personal.erased if names is None else personal.name in names
            if not chosen:
                continue
            model_field = self.model._meta.get_field(personal.name)
            assert isinstance(model_field, models.Field)
            if model_field.null:
                values[model_field.attname] = None
            elif model_field.has_default():
                values[model_field.attname] = model_field.get_default()
            else:
                values[model_field.attname] = ""
        # `also` marks the row as erased (a flag, an erasure time): not when only some of its
        # fields go, or the rest would never be erased by its time (an incident whose reporter
        # erased themselves keeps its text until then).
        if self.also is not None and names is None:
            values.update(self.also(now))
        return values

    def erase_rows(
        self, rows: QuerySet[Any], now: dt.datetime, names: Sequence[str] | None = None
    ) -> int:
        """Erase `rows` of this model as declared (or blank only the fields `names`); returns
        how many rows were erased. `rows` may be sliced (a batch)."""
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            return 0
        chosen = self.model._default_manager.filter(pk__in=ids)
        if self.erase == "delete" and names is None:
            _total, by_model = chosen.delete()
            return by_model.get(self.label, 0)
        return chosen.update(**self.blank_values(now, names))


_registry: dict[str, ModelMap] = {}
_loaded = False


def register(*maps: ModelMap) -> None:
    """Declare what models keep about people (from an app's `datamap.py`)."""
    for model_map in maps:
        for personal in model_map.fields:
            model_map.model._meta.get_field(personal.name)  # fails early on a wrong name
        for name in model_map.not_personal:
            model_map.model._meta.get_field(name)
        _registry[model_map.label] = model_map


def load() -> None:
    """Import every installed app's `datamap` module once, so that their maps are registered."""
    global _loaded
    if not _loaded:
        autodiscover_modules("datamap")
        _loaded = True


def maps() -> list[ModelMap]:
    """Every declared model, in order of label."""
    load()
    return [_registry[label] for label in sorted(_registry)]


def map_for(model: type[models.Model]) -> ModelMap | None:
    load()
    return _registry.get(model._meta.label)


def expire(now: dt.datetime) -> dict[str, int]:
    """Erase everything past its time, model by model (each in its own transaction); returns
    how many rows of each model were erased (models with none left out). Used by the one
    retention job, which records the counts."""
    counts: dict[str, int] = {}
    for model_map in maps():
        if model_map.expires is None:
            continue
        with transaction.atomic():
            erased = model_map.erase_rows(model_map.expires(now), now)
        if erased:
            counts[model_map.label] = erased
    return counts


@dataclass(frozen=True)
class Section:
    """The personal data one model holds about one owner: for each row, label and value."""

    model_map: ModelMap
    rows: list[list[tuple[Text, str]]]

    @property
    def title(self) -> str:
        return str(self.model_map.model._meta.verbose_name_plural)


def _value(row: models.Model, name: str) -> str:
    """A field's value as exported: a choice by its label, a row by its public id."""
    model_field = row._meta.get_field(name)
    if isinstance(model_field, models.Field) and model_field.choices:
        return str(getattr(row, f"get_{name}_display")())
    return _shown(getattr(row, name))


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(getattr(value, "public_id", ""))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value)


def collect(owner: Owner, pk: int) -> list[Section]:
    """Everything stored about one RSVP or one account, as it is exported to them: a section per
    model holding any of it, the exported personal fields of each of its rows."""
    sections = []
    for model_map in maps():
        rows = model_map.rows_of(owner, pk)
        exported = [personal for personal in model_map.fields_of(owner) if personal.exported]
        if rows is None or not exported:
            continue
        found = [
            [(personal.label, _value(row, personal.name)) for personal in exported]
            for row in rows.order_by("pk")
        ]
        if found:
            sections.append(Section(model_map, found))
    return sections


def erase_owned(owner: Owner, pk: int, *, now: dt.datetime) -> dict[str, int]:
    """Erase everything the map holds about one RSVP or one account, at once (a person's own
    erasure). The owner's own row is erased last, so the rows found through it are found
    first. The caller holds the transaction, checks who may, and records it."""
    counts: dict[str, int] = {}
    own: list[ModelMap] = []
    others: list[ModelMap] = []
    for model_map in maps():
        owned = model_map.owners.get(owner)
        if owned is not None:
            (own if owned.lookup == "pk" else others).append(model_map)
    for model_map in others + own:
        rows = model_map.rows_of(owner, pk)
        assert rows is not None
        names = model_map.owners[owner].fields or None
        erased = model_map.erase_rows(rows, now, names)
        if erased:
            counts[model_map.label] = erased
    return counts


def _cell(text: Text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(declared: Iterable[ModelMap] | None = None) -> str:
    """The field table of docs/privacy.md, in the language active now."""
    lines = [
        "| model | field | what | who sees it | how long | erased by |",
        "|---|---|---|---|---|---|",
    ]
    for model_map in maps() if declared is None else declared:
        for personal in model_map.fields:
            how = "row deleted" if model_map.erase == "delete" else "field blanked"
            lives = personal.lives or model_map.lives
            if not personal.erased:
                how = "kept with the row"
            lines.append(
                f"| `{model_map.label}` | `{personal.name}` | {_cell(personal.label)} "
                f"| {_cell(personal.seen_by)} | {_cell(lives)} | {how} |"
            )
        for name, reason in sorted(model_map.not_personal.items()):
            lines.append(
                f"| `{model_map.label}` | `{name}` | not personal: {_cell(reason)} | | | |"
            )
    return "\n".join(lines) + "\n"
