"""The fields of the place picker, which the action form and the founding-hub form share: a city
typed by name in any script (or picked from the search, which fills in its gazetteer id) and a
point on the map. The picker's map half (actions/manage/_place_picker.html) needs JavaScript;
the typed name, or the typed latitude and longitude, do its work without it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from persiantools.digits import ar_to_fa, fa_to_en

from streetwave.core.forms import LineField

from .models import City
from .search import find_cities, nearest_city

# How many cities a typed name may match; one query.
CITY_CANDIDATES = 8


class CoordinateField(forms.FloatField):
    """A latitude or a longitude, typed in any script's digits: Persian and Arabic keyboards type
    their own, and the Persian decimal separator."""

    def to_python(self, value):
        if isinstance(value, str):
            value = fa_to_en(ar_to_fa(value)).replace("٫", ".")
        return super().to_python(value)


def _coordinate_input() -> forms.TextInput:
    # Text, not type="number": a browser drops digits it does not read (Persian ones), and the
    # field then looked empty. Left to right, so that "-79.39864" keeps its sign in front.
    return forms.TextInput(
        attrs={"dir": "ltr", "inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
    )


class PlacePickerForm(forms.Form):
    """A form with the place picker's fields. Its `clean` calls `picked_city()`. The point is
    optional here; a form that needs it makes it required. `pin_is_public` says whether the pin
    is the public place of what is saved (an action) or only helps to find the city (a hub): the
    picker's texts follow it."""

    pin_is_public = False

    city_name = LineField(
        label=_("City"),
        max_length=100,
        required=False,
        help_text=_(
            "Type the name in any script, e.g. Toronto or تورنتو. Left empty, the city nearest "
            "to the point on the map is taken."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # The gazetteer id of the city picked from the search results; the typed name decides when
    # the two disagree (someone typed another name after picking).
    city = forms.CharField(required=False, widget=forms.HiddenInput)
    latitude = CoordinateField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        required=False,
        widget=_coordinate_input(),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        required=False,
        widget=_coordinate_input(),
    )

    def picked_city(self) -> City | None:
        """The city picked or typed; with no name, the city nearest to the point. None, with an
        error on the name, when no city fits; None without one when there is neither a name nor
        a whole point (the form says what it needs) or the name has an error already."""
        if "city_name" in self.errors:
            return None
        name = self.cleaned_data.get("city_name", "")
        picked = self.cleaned_data.get("city", "")
        if name:
            candidates = find_cities(name, limit=CITY_CANDIDATES)
            for candidate in candidates:
                if str(candidate.geonameid) == picked:
                    return candidate
            if picked.isdigit():
                # A Persian name shown as it is written may not be one of the search keys.
                city = City.objects.select_related("country").filter(geonameid=picked).first()
                if city is not None and name in (city.display_name(), city.name):
                    return city
            if candidates:
                return candidates[0]
            self.add_error(
                "city_name",
                _(
                    "No city of that name is known. Try another spelling, or leave the field "
                    "empty to take the city nearest to the point."
                ),
            )
            return None
        latitude, longitude = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        if latitude is None or longitude is None:
            return None
        city = nearest_city(latitude, longitude)
        if city is None:
            self.add_error("city_name", _("No city is known near this point. Type its name."))
        return city
