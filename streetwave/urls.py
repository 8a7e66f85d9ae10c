from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from streetwave.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("streetwave.api.v1.urls")),
    *i18n_patterns(
        path("", include("streetwave.core.urls")),
        path("", include("streetwave.campaigns.urls")),
        path("", include("streetwave.hubs.urls")),
        path("", include("streetwave.actions.urls")),
        path("", include("streetwave.broadcasts.urls")),
        path("", include("streetwave.moderation.urls")),
        path("", include("streetwave.reportbacks.urls")),
        path("", include("streetwave.safety.urls")),
        path("", include("streetwave.places.urls")),
        path("accounts/", include("streetwave.accounts.urls")),
        path("admin/", admin.site.urls),
    ),
]

# A database that does not answer gets a 503 with Retry-After, not a 500 (core.views.errors).
handler500 = "streetwave.core.views.errors.server_error"
