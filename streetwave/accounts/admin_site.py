"""Django's admin behind the same second factor as organizer pages. Staff status alone, or a
password alone, opens nothing."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .next_url import safe_next_url
from .second_factor import is_session_verified, second_factor_redirect_url


class SecondFactorAdminSite(admin.AdminSite):
    # The instance's name, never the framework's, in every language.
    site_header = _("Streetwave administration")
    site_title = _("Streetwave administration")
    index_title = _("Administration")
    # The index lists every section already; beside a list, the sidebar left the list too
    # narrow for its columns on a laptop's screen.
    enable_nav_sidebar = False

    def has_permission(self, request):
        return super().has_permission(request) and is_session_verified(request)

    def login(self, request, extra_context=None):
        """Signing in happens on the organizers' pages, where the second factor is asked."""
        next_url = safe_next_url(
            request, request.GET.get(REDIRECT_FIELD_NAME), fallback=reverse("admin:index")
        )
        if request.user.is_authenticated and not request.user.is_staff:
            # Signing in again cannot help: the account sign-in would send a signed-in organizer
            # straight back here, and round again. They are told where their pages are instead.
            return TemplateResponse(request, "403_admin.html", status=403)
        if request.user.is_authenticated:
            if is_session_verified(request):
                return redirect(next_url)
            return redirect(second_factor_redirect_url(request, next_url))
        return redirect_to_login(next_url)

    def password_change(self, request, extra_context=None):
        """A password is changed on the account's own page, which records the change and ends
        the account's other sessions; Django's page here would do neither."""
        return redirect("account_change_password")
