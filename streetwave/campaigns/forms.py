import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from streetwave.core.collation import sort_key
from streetwave.core.forms import (
    JalaliDateInput,
    LineField,
    LocalizedDateField,
    LocalizedIntegerField,
    LocalizedTimeField,
    number_input,
)
from streetwave.core.i18n import localize_digits
from streetwave.places.models import City, Country
from streetwave.places.search import find_cities

from .models import Campaign, validate_time_zone
from .queries import POSITION_DECIMALS
from .risk import high_risk_country_q
from .services import TRANSITIONS, CampaignDetails


class FindForm(forms.Form):
    """Find actions near a city typed in any script (`q`), or near a position (`near`)."""

    q = forms.CharField(required=False, max_length=100)
    near = forms.CharField(required=False, max_length=40)

    def clean_near(self) -> tuple[float, float] | None:
        value = self.cleaned_data["near"]
        if not value:
            return None
        try:
            latitude, longitude = (float(part) for part in value.split(","))
        except ValueError:
            latitude = longitude = math.nan
        # NaN fails both comparisons, so it lands here too.
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise forms.ValidationError(
                _("This position could not be read. Search by city instead."), code="invalid"
            )
        return round(latitude, POSITION_DECIMALS), round(longitude, POSITION_DECIMALS)


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "dir": "ltr"}, format="%H:%M")


class WindowForm(forms.Form):
    """The campaign's window as its coordinators think of it: dates and wall-clock times in the
    campaign's time zone, which become UTC in `clean`."""

    start_date = LocalizedDateField(label=_("Start date"), widget=JalaliDateInput())
    start_time = LocalizedTimeField(label=_("Start time"), widget=_time_input())
    end_date = LocalizedDateField(label=_("End date"), widget=JalaliDateInput())
    end_time = LocalizedTimeField(label=_("End time"), widget=_time_input())
    zone = LineField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("The time zone of the dates and times above, such as Asia/Tehran or UTC."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )

    def set_window(self, campaign: Campaign) -> None:
        zone = ZoneInfo(campaign.zone)
        start = timezone.localtime(campaign.starts_at, zone)
        end = timezone.localtime(campaign.ends_at, zone)
        self.initial.update(
            start_date=start.date(),
            start_time=start.time(),
            end_date=end.date(),
            end_time=end.time(),
            zone=campaign.zone,
        )

    def clean_zone(self) -> str:
        zone: str = self.cleaned_data["zone"].strip()
        try:
            validate_time_zone(zone)
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0], code="unknown_time_zone") from error
        return zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = ("start_date", "start_time", "end_date", "end_time", "zone")
        if all(cleaned.get(name) is not None for name in parts):
            zone = ZoneInfo(cleaned["zone"])
            cleaned["starts_at"] = dt.datetime.combine(
                cleaned["start_date"], cleaned["start_time"], tzinfo=zone
            ).astimezone(dt.UTC)
            cleaned["ends_at"] = dt.datetime.combine(
                cleaned["end_date"], cleaned["end_time"], tzinfo=zone
            ).astimezone(dt.UTC)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end_date", _("The window must end after it starts."))
        return cleaned


class CampaignCreateForm(WindowForm):
    """A new campaign, as a draft: its short name, languages, title and window. The rest is on
    its settings page."""

    slug = forms.SlugField(
        label=_("Short name"),
        max_length=80,
        help_text=_(
            "The campaign's address: letters, digits and hyphens, such as streets-2027. It "
            "cannot be changed later."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )
    # The languages named in the reader's language, as every language choice of the site.
    fallback_language = forms.ChoiceField(
        label=_("Main language"),
        choices=settings.LANGUAGES,
        help_text=_("Readers of a language the campaign has no text in see this one."),
    )
    other_languages = forms.MultipleChoiceField(
        label=_("Other languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    title = LineField(label=_("Title in the main language"), max_length=160)
    goal = LocalizedIntegerField(
        label=_("Goal (number of streets)"), min_value=1, initial=1000, widget=number_input()
    )

    field_order = [
        "slug",
        "fallback_language",
        "other_languages",
        "title",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "zone",
        "goal",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("fallback_language", translation.get_language())
        self.initial.setdefault("zone", settings.TIME_ZONE)

    def languages(self) -> list[str]:
        first = self.cleaned_data["fallback_language"]
        others = self.cleaned_data["other_languages"]
        return [
            first,
            *(code for code, _name in settings.LANGUAGES if code in others and code != first),
        ]

    def texts(self) -> dict[str, dict[str, Any]]:
        return {
            self.cleaned_data["fallback_language"]: {
                "title": self.cleaned_data["title"],
                "statement": "",
                "demands": [],
            }
        }


class CampaignSettingsForm(WindowForm):
    """Everything about a campaign its coordinators set: a fieldset per language of the campaign
    (title, statement in Markdown, demands one per line), its window, goal and policies."""

    fallback_language = CampaignCreateForm.base_fields["fallback_language"]
    other_languages = CampaignCreateForm.base_fields["other_languages"]
    goal = CampaignCreateForm.base_fields["goal"]
    approval_policy = forms.ChoiceField(
        label=_("Approval of actions"), choices=Campaign.ApprovalPolicy.choices
    )
    hub_policy = forms.ChoiceField(
        label=_("Hubs answering the call"), choices=Campaign.HubPolicy.choices
    )
    rsvp_retention_days = LocalizedIntegerField(
        label=_("Days RSVPs' personal data are kept after each action"), widget=number_input()
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        low, high = settings.RSVP_RETENTION_DAYS_MIN, settings.RSVP_RETENTION_DAYS_MAX
        retention = self.fields["rsvp_retention_days"]
        assert isinstance(retention, forms.IntegerField)
        retention.min_value, retention.max_value = low, high
        retention.validators = [MinValueValidator(low), MaxValueValidator(high)]
        retention.help_text = _(
            "Pseudonyms and addresses of supporters are erased this many days after their "
            "action; counts stay. Between %(low)s and %(high)s days."
        ) % {"low": localize_digits(low), "high": localize_digits(high)}
        self.set_window(campaign)
        self.initial.update(
            fallback_language=campaign.languages[0] if campaign.languages else None,
            other_languages=campaign.languages[1:],
            goal=campaign.goal,
            approval_policy=campaign.approval_policy,
            hub_policy=campaign.hub_policy,
            rsvp_retention_days=campaign.rsvp_retention_days,
        )
        self.language_fieldsets: list[tuple[str, str, list[forms.BoundField]]] = []
        for code in campaign.languages:
            text = campaign.texts.get(code) or {}
            names = [f"title_{code}", f"statement_{code}", f"demands_{code}"]
            self.fields[names[0]] = LineField(label=_("Title"), max_length=160, required=False)
            self.fields[names[1]] = forms.CharField(
                label=_("Statement"),
                required=False,
                max_length=10_000,
                help_text=_("Markdown: *emphasis*, **strong**, lists, links."),
                widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
            )
            self.fields[names[2]] = forms.CharField(
                label=_("Demands"),
                required=False,
                max_length=5_000,
                help_text=_("One demand per line."),
                widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
            )
            self.initial.update(
                {
                    names[0]: text.get("title", ""),
                    names[1]: text.get("statement", ""),
                    names[2]: "\n".join(text.get("demands", [])),
                }
            )
            self.language_fieldsets.append(
                (code, str(dict(settings.LANGUAGES)[code]), [self[name] for name in names])
            )

    def details(self) -> CampaignDetails:
        data = self.cleaned_data
        first = data["fallback_language"]
        others = data["other_languages"]
        languages = [
            first,
            *(code for code, _n in settings.LANGUAGES if code in others and code != first),
        ]
        texts: dict[str, dict[str, Any]] = {}
        for code in languages:
            if f"title_{code}" not in data:
                # A language added now: its fieldset appears once the campaign has it.
                texts[code] = self.campaign.texts.get(code) or {}
                continue
            demands = [line.strip() for line in data[f"demands_{code}"].splitlines()]
            texts[code] = {
                "title": data[f"title_{code}"],
                "statement": data[f"statement_{code}"].strip(),
                "demands": [line for line in demands if line],
            }
        return CampaignDetails(
            languages=languages,
            texts=texts,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            zone=data["zone"],
            goal=data["goal"],
            approval_policy=data["approval_policy"],
            hub_policy=data["hub_policy"],
            rsvp_retention_days=data["rsvp_retention_days"],
        )


class HighRiskCountriesForm(forms.Form):
    """The countries where nothing is announced in advance and nobody is named: the instance's
    (operators) or those a campaign adds (its coordinators)."""

    countries = forms.ModelMultipleChoiceField(
        label=_("High-risk countries"),
        queryset=Country.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, chosen: list[Country], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["countries"] = chosen


# How many of each high-risk country's cities the count-only page lists (the largest, in the
# reader's alphabetical order); any other is typed. And how many cities a typed name may match
# anywhere before those of the campaign's high-risk countries are picked out.
INSIDE_CITY_CHOICES = 80
INSIDE_NAME_CANDIDATES = 50


class InsideForm(forms.Form):
    """Count-only participation: a city of the campaign's high-risk countries, picked from the
    list or typed in any script (a typed name wins). Nothing else is asked; `clean` leaves the
    city in `cleaned_data["place"]`."""

    city = forms.ChoiceField(label=_("Your city"), required=False)
    city_name = LineField(
        label=_("Not in the list? Type its name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = translation.get_language()
        self.countries = list(Country.objects.filter(high_risk_country_q(campaign)))
        groups = []
        for country in self.countries:
            cities = City.objects.filter(country=country).order_by("-population", "pk")
            names = sorted(
                (
                    (str(city.geonameid), city.display_name(language))
                    for city in cities[:INSIDE_CITY_CHOICES]
                ),
                key=lambda choice: sort_key(choice[1], language),
            )
            groups.append((country.display_name(language), names))
        listed: list[Any] = groups[0][1] if len(groups) == 1 else groups
        city_field = self.fields["city"]
        assert isinstance(city_field, forms.ChoiceField)
        city_field.choices = [("", _("Choose your city")), *listed]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        countries = {country.pk for country in self.countries}
        if data["city_name"]:
            candidates = find_cities(data["city_name"], limit=INSIDE_NAME_CANDIDATES)
            data["place"] = next(
                (city for city in candidates if city.country_id in countries), None
            )
            if data["place"] is None:
                self.add_error(
                    "city_name",
                    _(
                        "No city of that name is known in these countries. Try another "
                        "spelling, or choose your city from the list."
                    ),
                )
        elif data["city"]:
            data["place"] = City.objects.get(geonameid=data["city"], country__in=countries)
        else:
            self.add_error("city", _("Choose your city, or type its name."))
        return data


class StateChangeForm(forms.Form):
    """The confirmation step of a change of state: which change, said again."""

    change = forms.ChoiceField(choices=[(name, name) for name in TRANSITIONS])
