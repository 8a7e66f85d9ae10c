from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from streetwave.core.forms import LineField
from streetwave.core.i18n import localize_digits
from streetwave.places.forms import CITY_CANDIDATES, PlacePickerForm
from streetwave.places.models import City
from streetwave.places.search import find_cities

from .models import Hub, Membership


def _city_label(city: City) -> str:
    # Places that share a name often share a country too; the size tells them apart.
    return _("%(city)s, %(country)s (population %(population)s)") % {
        "city": city.display_name(),
        "country": city.country.display_name(),
        "population": localize_digits(city.population),
    }


class StartHubForm(forms.Form):
    """The public form that proposes a hub. The city is typed by name in any script; when the
    name fits several cities, the form comes back with them to choose from (no JavaScript)."""

    name = LineField(
        label=_("Name of the hub"),
        max_length=120,
        help_text=_(
            "A public name of your choosing, e.g. Streets for Freedom Leipzig: anyone may read "
            "it once the hub is active. Never a person's real name; in a country where "
            "gathering is dangerous, choose one that points to nobody and to no place you meet."
        ),
    )
    city_name = LineField(
        label=_("City"),
        max_length=100,
        help_text=_("Type the name in any script, e.g. Hamburg or هامبورگ."),
    )
    # Checked against the cities the typed name matches now, so a stale choice is ignored.
    city = forms.IntegerField(
        label=_("Which city do you mean?"), required=False, widget=forms.RadioSelect
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the hub works in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    motivation = forms.CharField(
        label=_("Why do you want to start this hub?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few sentences for the organizers who will vouch for you: who you are as a group "
            "and what you plan. Please name no one."
        ),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_(
            "Only to confirm this proposal and, once the hub is active, to invite you as its "
            "lead. Nobody else sees it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        query = (self.data.get("city_name") or "").strip()[:100] if self.is_bound else ""
        self.candidates = find_cities(query, limit=CITY_CANDIDATES) if query else []
        if self.needs_city_choice:
            self.fields["city"].widget.choices = [
                (city.geonameid, _city_label(city)) for city in self.candidates
            ]
        else:
            self.fields["city"].widget = forms.HiddenInput()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        chosen = cleaned.get("city")
        by_id = {city.geonameid: city for city in self.candidates}
        if chosen in by_id:
            cleaned["city"] = by_id[chosen]
        elif "city_name" in cleaned and not self.candidates:
            self.add_error("city_name", _("No city of that name is known. Try another spelling."))
        elif len(self.candidates) == 1:
            cleaned["city"] = self.candidates[0]
        elif self.candidates:
            self.add_error("city", _("Several cities have this name. Choose yours."))
        return cleaned

    @property
    def needs_city_choice(self) -> bool:
        return len(self.candidates) > 1


class VouchForm(forms.Form):
    """Which of the organizer's hubs the vouch is given as."""

    voucher_hub = forms.ModelChoiceField(
        label=_("Vouch as an organizer of"),
        queryset=Hub.objects.none(),
        to_field_name="public_id",
        empty_label=None,
    )

    def __init__(self, *args, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["voucher_hub"]).queryset = hubs


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email of the person you invite"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class CoordinatorInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email of the person you appoint"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class FoundingHubForm(PlacePickerForm):
    """A founding hub and its first lead. The city is found with the place picker; its pin only
    helps to find the city, and is not kept."""

    field_order = ["name", *PlacePickerForm.base_fields]

    name = LineField(
        label=_("Name of the hub"),
        max_length=120,
        help_text=_(
            "A public name, e.g. Streets for Freedom Leipzig: anyone may read it from now on. "
            "Never a person's real name; in a country where gathering is dangerous, one that "
            "points to nobody and to no place they meet."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the hub works in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    lead_email = forms.EmailField(
        label=_("Email of its first lead"),
        help_text=_(
            "The invitation works only for this address. The lead sets up a second factor "
            "before joining, then invites the rest of the team."
        ),
    )
    lead_language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        city = self.picked_city()
        if city is not None:
            cleaned["city"] = city
        elif not {"city_name", "latitude", "longitude"} & set(self.errors):
            # Neither a name nor a point: without JavaScript there is no map to tap.
            self.add_error("city_name", _("Type the name of the hub's city."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "city": data["city"],
            "languages": data["languages"],
            "lead_email": data["lead_email"],
            "lead_language": data["lead_language"],
        }
