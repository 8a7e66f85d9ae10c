from django.urls import include, path

from .views import manage, public

# allauth's own URL names (account_login, mfa_index, ...) are global: it reverses them itself.
accounts_patterns = (
    [
        path("sessions/", manage.sessions, name="sessions"),
        path("data/", manage.data, name="data"),
        path("invitation/<str:token>/", public.invitation, name="invitation"),
    ],
    "accounts",
)

urlpatterns = [
    path("", include(accounts_patterns)),
    # These shadow allauth's routes of the same paths (ACCOUNT_REAUTHENTICATION_METHODS has no
    # mailed code), which would answer 403.
    path("reauthenticate/code/", public.switched_off),
    path("reauthenticate/code/confirm/", public.switched_off),
    path("", include("allauth.urls")),
]
