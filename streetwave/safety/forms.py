"""The forms of safety: an incident report (an organizer's, a supporter's, anyone's) and a note
of an incident's log. Each validates the shape of what is typed; the rules between fields are
the service's, whose errors the view puts back on the form."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.forms import LineField

from .models import INCIDENT_TEXT_MAX_LENGTH, Incident

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

    def report(self) -> dict[str, object]:
        """The cleaned data as the service takes it."""
        data = dict(self.cleaned_data)
        minutes = int(data.pop("when"))
        data["happened_at"] = timezone.now() - dt.timedelta(minutes=minutes)
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
