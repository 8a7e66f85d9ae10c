import datetime as dt

from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from streetwave.campaigns.map import COORDINATE_DECIMALS
from streetwave.campaigns.models import Campaign
from streetwave.core.forms import (
    JalaliDateInput,
    LineField,
    LocalizedDateField,
    LocalizedIntegerField,
    LocalizedTimeField,
    number_input,
)
from streetwave.core.i18n import localize_digits
from streetwave.hubs.models import Hub
from streetwave.places.forms import PlacePickerForm
from streetwave.places.models import City
from streetwave.places.search import distance_km, nearest_city

from .models import DEFAULT_REMINDER_LEAD, LEAD_CHOICES, RSVP, Action
from .schedule import LocalTimeError, to_utc
from .services import ActionDetails
from .services.actions import MAX_POINT_DISTANCE_KM
from .services.emergency import MAX_NOTICE_LENGTH


def _news_label(action: Action) -> str:
    campaign = action.campaign
    assert campaign is not None  # asked only of actions in a campaign
    return gettext(
        "Also send me news of the campaign “%(campaign)s” to this email. I can unsubscribe "
        "with one click in any of these emails."
    ) % {"campaign": campaign.title}


def _retention_days(action: Action) -> int:
    campaign = action.campaign
    return campaign.rsvp_retention_days if campaign is not None else settings.RSVP_RETENTION_DAYS


def _email_help(action: Action) -> str:
    days = _retention_days(action)
    return ngettext(
        "Only for your manage link and messages about this action. Organizers never see it."
        " It is deleted %(days)s day after the action.",
        "Only for your manage link and messages about this action. Organizers never see it."
        " It is deleted %(days)s days after the action.",
        days,
    ) % {"days": localize_digits(days)}


def _consent_label(action: Action) -> str:
    days = _retention_days(action)
    return ngettext(
        "I understand that Streetwave keeps only what I give here, encrypted, and deletes it"
        " %(days)s day after the action.",
        "I understand that Streetwave keeps only what I give here, encrypted, and deletes it"
        " %(days)s days after the action.",
        days,
    ) % {"days": localize_digits(days)}


class RSVPForm(forms.Form):
    pseudonym = LineField(
        label=_("Name or pseudonym (optional)"),
        max_length=60,
        required=False,
        help_text=_("Only the organizers of this action see it. Any name will do."),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        # help_text: the campaign's retention period, set in __init__.
    )
    language = forms.ChoiceField(label=_("Language for messages"), choices=settings.LANGUAGES)
    campaign_news = forms.BooleanField(required=False)
    # choices: the kinds of safety role, set in __init__.
    safety_offers = forms.MultipleChoiceField(
        label=_("I can help at this action as (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The organizers see your offer under your name or pseudonym, never your email, and "
            "confirm it or not. You can change it with your private link."
        ),
    )
    consent = forms.BooleanField(
        # label: the campaign's retention period, set in __init__.
        error_messages={"required": _("Please confirm that you have read how your data is used.")},
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        # The retention period is the campaign's (lazy, like the news label below).
        self.fields["email"].help_text = lazy(_email_help, str)(action)
        self.fields["consent"].label = lazy(_consent_label, str)(action)
        # Safety roles sit above actions: their kinds are named, not imported.
        offers = self.fields["safety_offers"]
        assert isinstance(offers, forms.MultipleChoiceField)
        offers.choices = apps.get_model("safety", "SafetyRole").Kind.choices
        if action.campaign_id is None:
            # News come from a campaign's coordinators: without a campaign there is no one to
            # send them, so nothing is asked.
            del self.fields["campaign_news"]
        else:
            # Lazy: a form that is only validated (the API) never loads the campaign.
            self.fields["campaign_news"].label = lazy(_news_label, str)(action)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("campaign_news") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "campaign_news",
                _("Give an email address to receive news of the campaign, or leave this unticked."),
            )
        return cleaned


class FindRSVPsForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_(
            "The address you gave when you RSVPed. We write to it, and only to it: this page "
            "tells nobody whether it has RSVPs."
        ),
    )


class ManageRSVPForm(forms.ModelForm):
    # The same labels and help as when RSVPing; the language has no empty choice, it always has
    # a value.
    pseudonym = LineField(
        label=RSVPForm.base_fields["pseudonym"].label,
        max_length=60,
        required=False,
        help_text=RSVPForm.base_fields["pseudonym"].help_text,
    )
    language = forms.ChoiceField(
        label=RSVPForm.base_fields["language"].label, choices=settings.LANGUAGES
    )

    class Meta:
        model = RSVP
        fields = ["pseudonym", "language"]


def _minutes(lead: dt.timedelta) -> str:
    return str(int(lead.total_seconds() // 60))


class LeadField(forms.TypedChoiceField):
    """How long before the start something happens, from LEAD_CHOICES; the value is minutes.
    Left out, it is None: the action keeps what it has (the default when new)."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[(_minutes(lead), label) for lead, label in LEAD_CHOICES],
            coerce=lambda minutes: dt.timedelta(minutes=int(minutes)),
            initial=_minutes(DEFAULT_REMINDER_LEAD),
            required=False,
            empty_value=None,
            **kwargs,
        )


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


def campaign_of_hub(hub: Hub) -> Campaign | None:
    """The live campaign a hub takes part in, the one a new action most likely belongs to: the
    campaign of its latest action; for a hub without one, that of its sponsors (the hubs above
    it answered the same call); else the only live campaign, if there is just one."""
    live = Campaign.objects.filter(status=Campaign.Status.LIVE)
    latest = live.filter(actions__hub=hub).order_by("-actions__created_at").first()
    if latest is not None:
        return latest
    sponsors = [public_id for public_id in hub.path.split("/") if public_id != hub.public_id]
    if sponsors:
        latest = (
            live.filter(actions__hub__public_id__in=sponsors)
            .order_by("-actions__created_at")
            .first()
        )
        if latest is not None:
            return latest
    only = list(live[:2])
    return only[0] if len(only) == 1 else None


# A point this close to the chosen city belongs to it whatever country the nearest town is in:
# border towns sit a few kilometres apart.
NEAR_CITY_KM = 10


class ActionForm(PlacePickerForm):
    """An action as its organizers enter it: times are wall-clock times in the hub's city, and
    become UTC in `clean`; a time that the city's clocks skip or repeat is refused. Its place is
    the place picker's city and point, and the point is required: it is the public place."""

    pin_is_public = True
    # The place picker's fields come after the public place, not first.
    field_order = [
        "title",
        "kind",
        "campaign",
        "description",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "place",
        *PlacePickerForm.base_fields,
    ]

    title = LineField(label=_("Title"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=Action.Kind.choices)
    campaign = CampaignChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("No campaign"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: *emphasis*, **bold**, lists and links. No images."),
    )
    start_date = LocalizedDateField(label=_("Date"), widget=JalaliDateInput())
    start_time = LocalizedTimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time", "dir": "ltr"}, format="%H:%M"),
    )
    end_date = LocalizedDateField(
        label=_("End date (optional)"),
        required=False,
        widget=JalaliDateInput(),
        help_text=_("Only for an action that ends on a later day, such as a night vigil."),
    )
    end_time = LocalizedTimeField(
        label=_("End time"),
        widget=forms.TimeInput(attrs={"type": "time", "dir": "ltr"}, format="%H:%M"),
    )
    place = LineField(
        label=_("Public place"),
        max_length=200,
        help_text=_("Shown to everyone, e.g. Place Schuman."),
    )
    meeting_point = forms.CharField(
        label=_("Private meeting point (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Not on the public page: people who are going receive it shortly before the start."
        ),
    )
    reveal_lead = LeadField(
        label=_("When to reveal the meeting point"),
        help_text=_(
            "At this time everyone going who left an email receives the private meeting point, "
            "and everyone going sees it on their RSVP page. Until then only your hub's organizers "
            "see it. The later, the less time anyone has to pass it on; the earlier, the more "
            "time people have to plan their way."
        ),
    )
    capacity = LocalizedIntegerField(
        label=_("Capacity (optional)"),
        min_value=1,
        required=False,
        widget=number_input("numeric"),
        help_text=_(
            "Leave empty for no limit. When the action is full, people join a waitlist and move "
            "up automatically."
        ),
    )
    reminder_lead = LeadField(
        label=_("Second reminder"),
        help_text=_(
            "Everyone going who left an email is reminded the day before the start, and again "
            "this long before it."
        ),
    )

    def __init__(self, *args, hub, action: Action | None = None, **kwargs):
        self.hub = hub
        self.action = action
        self.zone = action.zone if action is not None else hub.city.zone
        if action is not None:
            kwargs.setdefault("initial", initial_for(action))
        else:
            kwargs.setdefault(
                "initial",
                {
                    "campaign": campaign_of_hub(hub),
                    "city_name": hub.city.display_name(),
                    "city": hub.city.geonameid,
                    "latitude": hub.city.latitude,
                    "longitude": hub.city.longitude,
                },
            )
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].required = True
        self.fields["latitude"].help_text = _(
            "Where the action is on the map. It starts at the centre of your city."
        )
        # Its RSVPs were told the city, and the campaign counts it among its cities.
        self.city_fixed = action is not None and action.status != Action.Status.DRAFT
        if self.city_fixed:
            self.fields["city_name"].disabled = True
            self.fields["city"].disabled = True
            self.fields["city_name"].help_text = _(
                "The city can be changed only while the action is a draft. Move the point within "
                "the city instead."
            )
        live = Q(status=Campaign.Status.LIVE)
        campaign = self.fields["campaign"]
        if action is not None and action.campaign_id:
            live |= Q(pk=action.campaign_id)
        campaign.queryset = Campaign.objects.filter(live).order_by("starts_at")  # type: ignore[attr-defined]
        if action is not None and action.status != Action.Status.DRAFT:
            # Its RSVPs count towards the campaign; the service refuses the change too.
            campaign.disabled = True
            campaign.help_text = _("The campaign can be changed only while the action is a draft.")

    def _instant(self, day, time, time_field: str):
        try:
            return to_utc(day, time, self.zone)
        except LocalTimeError as error:
            self.add_error(time_field, error.message)
            return None

    def _coordinate(self, name: str) -> float | None:
        """Rounded as the public map rounds it: the public point is a square, not a doorway.
        An untouched point keeps its stored digits, so that editing the title of an action is
        not a change of place."""
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        rounded = round(value, COORDINATE_DECIMALS)
        stored = getattr(self.action, name, None)
        if stored is not None and round(stored, COORDINATE_DECIMALS) == rounded:
            return stored
        return rounded

    def clean_latitude(self):
        return self._coordinate("latitude")

    def clean_longitude(self):
        return self._coordinate("longitude")

    def _city(self) -> City | None:
        """The city picked or typed, or the one nearest to the point; the stored one once it is
        fixed."""
        if self.city_fixed:
            assert self.action is not None
            return self.action.city
        return self.picked_city()

    def _check_point(self, city: City, latitude: float, longitude: float) -> None:
        distance = distance_km(city.latitude, city.longitude, latitude, longitude)
        if distance <= NEAR_CITY_KM:
            return
        nearest = nearest_city(latitude, longitude)
        if nearest is not None and nearest.country_id != city.country_id:
            self.add_error(
                "latitude",
                _(
                    "This point is in %(country)s, but %(city)s is in %(city_country)s. Move the "
                    "point, or choose a city in %(country)s."
                )
                % {
                    "country": nearest.country.display_name(),
                    "city": city.display_name(),
                    "city_country": city.country.display_name(),
                },
            )
        elif distance > MAX_POINT_DISTANCE_KM:
            self.add_error(
                "latitude",
                _(
                    "This point is %(distance)s km from %(city)s. Move the point, or choose the "
                    "city where the action takes place."
                )
                % {"distance": localize_digits(round(distance)), "city": city.display_name()},
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        city = self._city()
        cleaned["city"] = city
        if city is not None:
            self.zone = city.zone
            if latitude is not None and longitude is not None and not self.city_fixed:
                self._check_point(city, latitude, longitude)
        start_day, start_time = cleaned.get("start_date"), cleaned.get("start_time")
        end_time = cleaned.get("end_time")
        if start_day is None or start_time is None or end_time is None:
            return cleaned
        end_day = cleaned.get("end_date") or start_day
        starts_at = self._instant(start_day, start_time, "start_time")
        ends_at = self._instant(end_day, end_time, "end_time")
        if starts_at is not None and ends_at is not None:
            if ends_at <= starts_at:
                self.add_error("end_time", _("The end must be after the start."))
            cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        return cleaned

    def details(self) -> ActionDetails:
        data = self.cleaned_data
        return ActionDetails(
            campaign=data["campaign"],
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            meeting_point=data["meeting_point"],
            capacity=data["capacity"],
            reveal_lead=data["reveal_lead"],
            reminder_lead=data["reminder_lead"],
            city=None if self.city_fixed else data["city"],
        )


def initial_for(action: Action) -> dict:
    start, end = action.local_start, action.local_end
    return {
        "title": action.title,
        "kind": action.kind,
        "campaign": action.campaign,
        "description": action.description,
        "start_date": start.date(),
        "start_time": start.time(),
        "end_date": end.date() if end.date() != start.date() else None,
        "end_time": end.time(),
        "place": action.place,
        "city_name": action.city.display_name(),
        "city": action.city.geonameid,
        "latitude": action.latitude,
        "longitude": action.longitude,
        "meeting_point": action.meeting_point,
        "reveal_lead": _minutes(action.reveal_lead),
        "capacity": action.capacity,
        "reminder_lead": _minutes(action.reminder_lead),
    }


class RejectActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it sent back?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The hub's organizers read this beside their draft."),
    )


class RelayMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Sent by email to everyone still coming who left an address, in plain text. You never "
            "see their addresses and replies reach no one. Links may point only to this site and "
            "to the sites the campaign allows."
        ),
    )


class EmergencyNoticeForm(forms.Form):
    body = forms.CharField(
        label=_("Notice"),
        max_length=MAX_NOTICE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Sent at once by email to everyone going who left an address, and shown on the "
            "action's public page until the action ends. Say what is happening and what to do, "
            "in a few lines. It cannot send people to another place: no links, no coordinates, "
            "no new place or meeting point."
        ),
    )
