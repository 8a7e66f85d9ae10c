from django.urls import path

from streetwave.core.selfcontained import save_page

from .views import manage, operator, public

app_name = "campaigns"

urlpatterns = [
    path("", public.home, name="home"),
    path("map/cities.json", public.city_labels, name="city_labels"),
    path("c/<slug:slug>/", public.detail, name="detail"),
    path("c/<slug:slug>/tally/", public.tally, name="tally"),
    path("c/<slug:slug>/inside/", public.inside, name="inside"),
    # The inside page as one file that loads nothing, to pass on where the site is blocked.
    path("c/<slug:slug>/inside/save/", save_page(public.inside), name="inside_save"),
    path("c/<slug:slug>/map/", public.map_page, name="map"),
    path("c/<slug:slug>/map.json", public.map_data, name="map_data"),
    path("c/<slug:slug>/places/<str:country>/", public.places, name="places"),
    path("c/<slug:slug>/wave/", public.wave, name="wave"),
    path("c/<slug:slug>/wave/fragment/", public.wave_fragment, name="wave_fragment"),
    path("c/<slug:slug>/calendar.ics", public.calendar, name="calendar"),
    # The campaign's console
    path("manage/campaigns/new/", manage.create, name="manage_create"),
    path(
        "manage/campaigns/<slug:slug>/settings/",
        manage.campaign_settings,
        name="manage_settings",
    ),
    path("manage/campaigns/<slug:slug>/state/", manage.state, name="manage_state"),
    path("manage/campaigns/<slug:slug>/high-risk/", manage.high_risk, name="manage_high_risk"),
    # The operator's console
    path("manage/instance/", operator.instance, name="instance"),
    path("manage/instance/high-risk/", operator.high_risk, name="instance_high_risk"),
]
