"""The forms of safety: an incident report (an organizer's, a supporter's, anyone's), a note
of an incident's log, the safety roles, the briefing and the know-your-rights cards. Each
validates the shape of what is typed; the rules between fields are the service's, whose errors
the view puts back on the form."""

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.forms import LineField
from streetwave.core.images import MAX_BYTES, PhotoTooLarge
from streetwave.places.models import Country

from .models import INCIDENT_TEXT_MAX_LENGTH, Incident, SafetyRole
from .services import BRIEFING_MAX_LENGTH, RIGHTS_CARD_MAX_LENGTH, PhotoUpload

if TYPE_CHECKING:
    # Only the type stubs name the lazy string of gettext_lazy.
    from django.utils.functional import _StrPromise

# When it happened, as minutes before the report: no clock or calendar to read on the spot.
WHEN_CHOICES = [
    ("0", _("Just now")),
    ("10", _("About 10 minutes ago")),
    ("30", _("About half an hour ago")),
    ("60", _("About an hour ago")),
    ("120", _("About two hours ago")),
    ("240", _("Earlier today")),
]


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=Incident.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    severity = forms.ChoiceField(
        label=_("How serious is it?"),
        choices=Incident.Severity.choices,
        initial=Incident.Severity.MEDIUM,
        widget=forms.RadioSelect,
        help_text=_(
            "High: someone is hurt or in danger now. The safety leads are alerted at once."
        ),
        error_messages={"required": _("Choose how serious it is.")},
    )
    when = forms.ChoiceField(label=_("When?"), choices=WHEN_CHOICES, initial="0")
    text = forms.CharField(
        label=_("What did you see?"),
        max_length=INCIDENT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_(
            "A few lines: where, what, how many. Only the organizers and the safety desk read it. "
            "Do not write anyone's name."
        ),
        error_messages={"required": _("Say in a few words what happened.")},
    )
    photo = forms.FileField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_(
            "Every face is covered and what the camera recorded about the place and the time is "
            "removed before anyone sees it. Only those who handle the incident see it."
        ),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}
        ),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_BYTES:
            raise forms.ValidationError(PhotoTooLarge.default_message)
        return photo

    def report(self) -> dict[str, object]:
        """The cleaned data as the service takes it."""
        data = dict(self.cleaned_data)
        minutes = int(data.pop("when"))
        data["happened_at"] = timezone.now() - dt.timedelta(minutes=minutes)
        upload = data.pop("photo")
        if upload:
            data["photo"] = PhotoUpload(
                data=upload.read(), name=upload.name or "", content_type=upload.content_type or ""
            )
        return data


class PublicIncidentForm(IncidentForm):
    """Anyone at the action, without an account: a contact only if they want to be reached."""

    wants_contact = forms.BooleanField(
        label=_("I want the organizers to contact me about this"), required=False
    )
    contact = LineField(
        label=_("How can the organizers reach you? (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "Only if you ticked the box above. It is stored encrypted, only those who handle the "
            "incident see it, and it is erased with the incident."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Add a note"),
        max_length=INCIDENT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("What was done, who went there. Other people who handle it read it."),
        error_messages={"required": _("Write the note first.")},
    )


def _language_names(codes: list[str]) -> list[tuple[str, str]]:
    names = dict(settings.LANGUAGES)
    return [(code, str(names[code])) for code in codes]


class CountryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name()


class _TextsForm(forms.Form):
    """A text per language: fields `text_<code>`, in the order of `languages`."""

    text_label: "str | _StrPromise" = _("In %(language)s")
    text_help: "str | _StrPromise" = ""
    max_length = BRIEFING_MAX_LENGTH

    def __init__(self, *args, languages: list[str], texts: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = _language_names(languages)
        for code, name in self.languages:
            self.fields[f"text_{code}"] = forms.CharField(
                label=self.text_label % {"language": name},
                required=False,
                max_length=self.max_length,
                help_text=self.text_help,
                initial=(texts or {}).get(code, ""),
                widget=forms.Textarea(attrs={"rows": 6, "lang": code, "dir": "auto"}),
            )

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"text_{code}", "") for code, _name in self.languages}


class BriefingForm(_TextsForm):
    text_label = _("Briefing in %(language)s")
    text_help = _(
        "Plain text, for the people in safety roles only: where they meet, who leads, what to "
        "watch for. Leave a language empty to skip it: its readers get the first language that "
        "has a text."
    )


class RightsCardForm(_TextsForm):
    text_label = _("Card in %(language)s")
    text_help = _(
        "Plain text: the numbers of the legal observers, what to do if detained, what not to "
        "carry. Leave every language empty to remove the card of this country."
    )
    max_length = RIGHTS_CARD_MAX_LENGTH

    def __init__(self, *args, country: Country | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "country": CountryField(
                label=_("Country"),
                queryset=Country.objects.order_by("name"),
                to_field_name="code",
                initial=country.code if country else None,
            ),
            **self.fields,
        }


class TakeRoleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"), choices=SafetyRole.Kind.choices)


class OfferForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("I can help at this action as"),
        choices=SafetyRole.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
