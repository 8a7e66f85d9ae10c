"""The form of an action that happened inside a high-risk country (services/afterwards.py): what
the public may learn of it (a name, its kind, the day, the city) and its report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.core.forms import JalaliDateInput, LineField, LocalizedDateField
from streetwave.hubs.models import Hub
from streetwave.places.forms import PlacePickerForm

from .forms import ReportBackForm
from .services.afterwards import Afterwards, campaigns_to_report


class AfterwardsForm(ReportBackForm, PlacePickerForm):
    field_order = ["campaign", "title", "kind", "day", *PlacePickerForm.base_fields]

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )
    title = LineField(
        label=_("Public name of the action"),
        max_length=160,
        help_text=_(
            "Any name you choose, shown to everyone. Name no street, no square and no person."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Action.Kind.choices)
    day = LocalizedDateField(
        label=_("The day it happened"),
        widget=JalaliDateInput(),
        help_text=_("Only the day is kept and shown, never the hour."),
    )

    def __init__(self, data=None, *, hub: Hub):
        # The story's language is checked against the campaign's by the service.
        super().__init__(data, action=Action())
        campaigns = campaigns_to_report(hub)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)
        campaign.queryset = Campaign.objects.filter(pk__in=[row.pk for row in campaigns])
        if campaigns:
            campaign.initial = campaigns[0].slug
        self.fields["city_name"].required = True
        self.fields["city_name"].initial = hub.city.display_name()
        self.fields["city"].initial = hub.city.geonameid
        # The map opens on the hub's city; its pin only finds a city and is never kept.
        self.fields["latitude"].initial = hub.city.latitude
        self.fields["longitude"].initial = hub.city.longitude
        self.fields["city_name"].help_text = _(
            "Your hub's city, or another city of the same country. Only the city is kept and "
            "shown, at its centre, never a place in it."
        )

    def clean(self) -> dict:
        super().clean()
        self.cleaned_data["picked_city"] = self.picked_city()
        return self.cleaned_data

    def afterwards(self) -> Afterwards:
        data = self.cleaned_data
        return Afterwards(
            campaign=data["campaign"],
            day=data["day"],
            city=data["picked_city"],
            title=data["title"],
            kind=data["kind"],
            report=self.report(),
        )
