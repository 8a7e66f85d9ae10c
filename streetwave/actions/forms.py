from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import RSVP


class RSVPForm(forms.Form):
    pseudonym = forms.CharField(
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
    consent = forms.BooleanField(
        label=_(
            "I understand that Streetwave keeps only what I give here, encrypted, and deletes it"
            " 30 days after the action."
        ),
        error_messages={"required": _("Please confirm that you have read how your data is used.")},
    )


class ManageRSVPForm(forms.ModelForm):
    class Meta:
        model = RSVP
        fields = ["pseudonym", "language"]
