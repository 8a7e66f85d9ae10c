from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from streetwave.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *i18n_patterns(
        path("", include("streetwave.core.urls")),
        path("admin/", admin.site.urls),
    ),
]
