"""`manage.py seized_view IR`: what the database holds about a country, read as whoever seized
it would read it (docs/privacy.md, "What a seizure reveals").

Every table whose rows reach the country through foreign keys (a hub by its city, a membership
by its hub, an RSVP by its action, a photo by its report-back: at most MAX_HOPS keys away) is
listed with its number of rows and, column by column, how many of them hold a value: the
columns the data map calls personal are marked so. Then the audit entries that name any of
those rows by public id (the audit log keeps no foreign key to what it names), and the rows all
of these point to (the accounts of a hub's members, the actors of its audit entries, the
campaigns of its actions), the same way. Only counts are
printed, never a value, so that the output can be shown and kept. The gazetteer's own tables
(countries, cities, their names) are public data and left out."""

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models
from django.db.models import Count, Q, QuerySet

from streetwave.audit.models import AuditEntry
from streetwave.core import datamap
from streetwave.places.models import City, CityName, Country

# How many foreign keys away from a row the country may be (a photo: report-back, action, city,
# country).
MAX_HOPS = 4
GAZETTEER = (Country, City, CityName)


def paths_to_country(model: type[models.Model]) -> list[str]:
    """Lookups from `model` to places.Country through forward foreign keys, e.g. "city__country",
    "hub__city__country": every path of at most MAX_HOPS keys that visits no model twice."""
    found: list[str] = []

    def walk(current: type[models.Model], path: list[str], seen: set[Any]) -> None:
        for field in current._meta.concrete_fields:
            target = field.related_model
            if not isinstance(field, models.ForeignKey) or target is None or target in seen:
                continue
            if target is Country:
                found.append("__".join([*path, field.name]))
            elif len(path) + 2 <= MAX_HOPS:
                walk(target, [*path, field.name], seen | {target})

    walk(model, [], {model})
    return found


def rows_about(model: type[models.Model], code: str) -> QuerySet[Any] | None:
    """Every row of `model` that reaches the country `code`, or None when none can."""
    paths = paths_to_country(model)
    if not paths:
        return None
    reaches = Q()
    for path in paths:
        reaches |= Q(**{f"{path}__code": code})
    return model._base_manager.filter(reaches)


def filled_columns(rows: QuerySet[Any]) -> dict[str, int]:
    """For each column of `rows` but the keys, how many rows hold a value (not null, not empty)."""
    counts = {}
    for field in rows.model._meta.concrete_fields:
        if field.primary_key or isinstance(field, models.ForeignKey):
            continue
        holds = Q(**{f"{field.name}__isnull": False})
        if isinstance(field, models.CharField | models.TextField):
            holds &= ~Q(**{field.name: ""})
        counts[field.name] = Count("pk", filter=holds)
    return rows.aggregate(**counts) if counts else {}


class Command(BaseCommand):
    help = "Show, as counts, what the database holds about a country (ISO code, e.g. IR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("country", help="the country's ISO code, e.g. IR")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["country"].upper()
        country = Country.objects.filter(code=code).first()
        if country is None:
            raise CommandError(f"No country has the code {code}.")
        campaigns = list(country.high_risk_in_campaigns.values_list("slug", flat=True))
        self.stdout.write(
            f"{country.name} ({code}): high-risk for the instance: "
            f"{'yes' if country.high_risk else 'no'}; for campaigns: {', '.join(campaigns) or '-'}"
        )
        reached: dict[type[models.Model], QuerySet[Any]] = {}
        self.stdout.write("\nRows that reach it through foreign keys:")
        for model in sorted(apps.get_models(include_auto_created=True), key=_label):
            if model in GAZETTEER or (rows := rows_about(model, code)) is None:
                continue
            reached[model] = rows
            self._report(model, rows)
        public_ids: set[str] = set()
        for model, rows in reached.items():
            if any(field.name == "public_id" for field in model._meta.concrete_fields):
                public_ids.update(rows.values_list("public_id", flat=True))
        self.stdout.write("\nAudit entries that name them:")
        named = Q(target_id__in=public_ids) | Q(hub_id__in=public_ids)
        reached[AuditEntry] = AuditEntry.objects.filter(named)
        self._report(AuditEntry, reached[AuditEntry])
        referenced: dict[type[models.Model], set[Any]] = defaultdict(set)
        for model, rows in reached.items():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.ForeignKey) and field.related_model not in GAZETTEER:
                    ids = rows.exclude(**{field.attname: None}).values_list(field.attname)
                    referenced[field.related_model].update(pk for (pk,) in ids)
        self.stdout.write("\nRows they point to:")
        for model in sorted(referenced.keys() - reached.keys(), key=_label):
            self._report(model, model._base_manager.filter(pk__in=referenced[model]))

    def _report(self, model: type[models.Model], rows: QuerySet[Any]) -> None:
        total = rows.count()
        self.stdout.write(f"  {_label(model)}: {total} row{'' if total == 1 else 's'}")
        if not total:
            return
        model_map = datamap.map_for(model)
        personal = set(model_map.personal_names()) if model_map else set()
        for name, count in filled_columns(rows).items():
            if count:
                mark = "  [personal]" if name in personal else ""
                self.stdout.write(f"    {name}: {count}{mark}")


def _label(model: type[models.Model]) -> str:
    return model._meta.label
