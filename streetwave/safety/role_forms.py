"""Forms of the safety roles, the briefing and the know-your-rights cards."""

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from streetwave.places.models import Country

from .models import SafetyRole
from .role_services import BRIEFING_MAX_LENGTH, RIGHTS_CARD_MAX_LENGTH

if TYPE_CHECKING:
    # Only the type stubs name the lazy string of gettext_lazy.
    from django.utils.functional import _StrPromise


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
