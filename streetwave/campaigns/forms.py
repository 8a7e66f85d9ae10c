import math

from django import forms
from django.utils.translation import gettext_lazy as _

# Two decimals of a degree: about a kilometre, enough to sort actions by distance and too coarse
# to point at a home. The page's script rounds the same way before the position leaves the
# browser; the server rounds again whatever it is sent.
POSITION_DECIMALS = 2


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
