import datetime as dt

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from persiantools.digits import ar_to_fa, fa_to_en

from streetwave.campaigns.models import Campaign
from streetwave.core.forms import LineField

from .models import DEFAULT_REMINDER_LEAD, LEAD_CHOICES, RSVP, Action
from .schedule import LocalTimeError, to_utc
from .services import ActionDetails
from .services.emergency import MAX_NOTICE_LENGTH


def _news_label(action: Action) -> str:
    campaign = action.campaign
    assert campaign is not None  # asked only of actions in a campaign
    return gettext(
        "Also send me news of the campaign “%(campaign)s” to this email. I can unsubscribe "
        "with one click in any of these emails."
    ) % {"campaign": campaign.title}


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
        help_text=_(
            "Only for your manage link and messages about this action. Organizers never see it."
            " It is deleted 30 days after the action."
        ),
    )
    language = forms.ChoiceField(label=_("Language for messages"), choices=settings.LANGUAGES)
    campaign_news = forms.BooleanField(required=False)
    consent = forms.BooleanField(
        label=_(
            "I understand that Streetwave keeps only what I give here, encrypted, and deletes it"
            " 30 days after the action."
        ),
        error_messages={"required": _("Please confirm that you have read how your data is used.")},
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
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


def _western_digits(value):
    # Persian and Arabic keyboards type their own digits (and the Persian decimal separator);
    # a number is a number in any script.
    if isinstance(value, str):
        return fa_to_en(ar_to_fa(value)).replace("٫", ".")
    return value


class LocalizedFloatField(forms.FloatField):
    def to_python(self, value):
        return super().to_python(_western_digits(value))


class LocalizedIntegerField(forms.IntegerField):
    def to_python(self, value):
        return super().to_python(_western_digits(value))


class LocalizedDateField(forms.DateField):
    def to_python(self, value):
        return super().to_python(_western_digits(value))


class LocalizedTimeField(forms.TimeField):
    def to_python(self, value):
        return super().to_python(_western_digits(value))


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


class ActionForm(forms.Form):
    """An action as its organizers enter it: times are wall-clock times in the hub's city, and
    become UTC in `clean`; a time that the city's clocks skip or repeat is refused."""

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
    start_date = LocalizedDateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = LocalizedTimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_date = LocalizedDateField(
        label=_("End date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Only for an action that ends on a later day, such as a night vigil."),
    )
    end_time = LocalizedTimeField(
        label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = LineField(
        label=_("Public place"),
        max_length=200,
        help_text=_("Shown to everyone, e.g. Place Schuman."),
    )
    latitude = LocalizedFloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        help_text=_("Where the action is on the map. It starts at the centre of your city."),
    )
    longitude = LocalizedFloatField(label=_("Longitude"), min_value=-180, max_value=180)
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
        self.zone = hub.city.zone
        if action is not None:
            kwargs.setdefault("initial", initial_for(action))
        else:
            kwargs.setdefault(
                "initial", {"latitude": hub.city.latitude, "longitude": hub.city.longitude}
            )
        super().__init__(*args, **kwargs)
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

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
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
            "action's public page until the action ends. Say what changed and what to do, in a "
            "few lines. Links may point only to this site and to the sites the campaign allows."
        ),
    )
