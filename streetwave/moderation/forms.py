"""The forms of moderation: a visitor's report, a coordinator's takedown or suspension, and a
lead's flag on another hub. Each validates the shape of what is typed; the rules between fields
are the service's, whose errors the view puts back on the form."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from streetwave.core.forms import LineField
from streetwave.hubs.models import Hub

from .models import Report, Takedown
from .services import TEXT_MAX_LENGTH


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=Report.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is wrong.")},
    )
    text = forms.CharField(
        label=_("What did you notice?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_("Only the campaign's coordinators read it. Do not write anyone's name here."),
        error_messages={"required": _("Say in a few words what you noticed.")},
    )
    wants_contact = forms.BooleanField(
        label=_("I want to be contacted about this report"), required=False
    )
    contact = LineField(
        label=_("How can the coordinators reach you? (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "Only if you ticked the box above. It is stored encrypted, only the coordinators see "
            "it, and it is erased a month after they have dealt with your report."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )


class TakedownForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=Takedown.Reason.choices,
        widget=forms.RadioSelect,
        help_text=_("The people who were going are told this reason, in their language."),
        error_messages={"required": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("Note for the other coordinators (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Nobody else reads it: not the hub, not the people who were going."),
    )


class FlagForm(forms.Form):
    by_hub = forms.ModelChoiceField(
        label=_("As the lead of"),
        queryset=Hub.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your hubs.")},
    )
    reason = forms.CharField(
        label=_("Why does this hub look suspicious?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_("Only the coordinators of the campaigns this hub answered read it."),
        error_messages={"required": _("Say why this hub looks suspicious.")},
    )

    def __init__(self, *args: Any, hubs: QuerySet[Hub], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["by_hub"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = hubs
