"""The admin shows people's data only after the staff member has said why (DESIGN.md, privacy
rule 1: "Staff access to people needs a recorded reason").

One mechanism: every ModelAdmin whose pages show a personal field (an email address, a name, an
encrypted contact, an account) mixes in `PersonalDataAdmin`. Its pages first ask for a reason;
the reason is written to the audit log (`admin.personal_data_opened`, through
`services.open_personal_data`), and the pages of that model then open for this session
for `GRANT_LIFETIME`. `accounts/tests/test_admin_privacy.py` fails when an admin showing such
fields lacks the mixin.
"""

import datetime as dt
import json
import time
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from streetwave.audit.models import AuditEntry
from streetwave.core.i18n import format_number
from streetwave.core.views.forms import fill_in

from .next_url import safe_next_url
from .services import REASON_MAX_LENGTH, open_personal_data

GRANT_SESSION_KEY = "streetwave.admin.personal_data"
# Long enough to handle one request from a person; short enough that an unattended browser does
# not stay open on everyone's data.
GRANT_LIFETIME = dt.timedelta(minutes=15)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "For example: the request of a hub lead who lost access to their account. "
            "The reason is kept in the audit log, under your account."
        ),
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)


def has_grant(request: HttpRequest, model: type[models.Model]) -> bool:
    expires = request.session.get(GRANT_SESSION_KEY, {}).get(model._meta.label_lower)
    return expires is not None and time.time() < expires


def _grant(request: HttpRequest, model: type[models.Model]) -> None:
    now = time.time()
    grants = {
        label: expires
        for label, expires in request.session.get(GRANT_SESSION_KEY, {}).items()
        if expires > now
    }
    grants[model._meta.label_lower] = now + GRANT_LIFETIME.total_seconds()
    request.session[GRANT_SESSION_KEY] = grants


class PersonalDataAdmin(admin.ModelAdmin):
    """Mix in first (`class XAdmin(PersonalDataAdmin, TheirAdmin)`): every page of the model asks
    for a reason before it shows anything."""

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        reason = path(
            "reason/",
            self.admin_site.admin_view(self.reason_view),
            name=f"{opts.app_label}_{opts.model_name}_reason",
        )
        # Before the model's own patterns, whose last one takes any path as an object id.
        return [reason, *super().get_urls()]

    def reason_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.opts
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        wanted = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
        next_url = safe_next_url(request, wanted, fallback=changelist)

        def show(form: ReasonForm, status: int) -> HttpResponse:
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Why do you need to see %(things)s?")
                % {"things": opts.verbose_name_plural},
                "opts": opts,
                "form": form,
                "minutes": format_number(int(GRANT_LIFETIME.total_seconds() // 60)),
            }
            return TemplateResponse(
                request, "admin/personal_data_reason.html", context, status=status
            )

        def save(form: ReasonForm) -> AuditEntry:
            return open_personal_data(
                self.model, reason=form.cleaned_data["reason"], actor=request.user
            )

        def done(_entry: AuditEntry) -> HttpResponse:
            _grant(request, self.model)
            minutes = int(GRANT_LIFETIME.total_seconds() // 60)
            messages.info(
                request,
                ngettext(
                    "Your reason is recorded. These pages stay open to you for %(count)s minute.",
                    "Your reason is recorded. These pages stay open to you for %(count)s minutes.",
                    minutes,
                )
                % {"count": format_number(minutes)},
            )
            return redirect(next_url)

        def make_form(data: Any = None) -> ReasonForm:
            return ReasonForm(data, initial={"next": next_url})

        return fill_in(request, make_form, show=show, save=save, done=done)

    def _reason_first(self, request: HttpRequest) -> HttpResponse | None:
        """Where the page goes instead, while this session has given no reason for the model."""
        if has_grant(request, self.model):
            return None
        if not self.has_view_or_change_permission(request):
            # Django's own answer to a page this account may not see, unchanged.
            return None
        opts = self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_reason")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._reason_first(request) or super().changelist_view(request, extra_context)

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._reason_first(request) or super().add_view(request, form_url, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._reason_first(request) or super().change_view(
            request, object_id, form_url, extra_context
        )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._reason_first(request) or super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._reason_first(request) or super().history_view(
            request, object_id, extra_context
        )

    # Django's own log of admin changes (its index lists the latest) names each row by str(),
    # an address or a name here, and keeps it forever: it names the row by public id instead.

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry:
        return self._log(request, [obj], ADDITION, message)[0]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry:
        return self._log(request, [obj], CHANGE, message)[0]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> list[LogEntry]:
        return self._log(request, list(queryset), DELETION, "")

    def _log(
        self, request: HttpRequest, objects: list[Any], flag: int, message: Any
    ) -> list[LogEntry]:
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        return [
            LogEntry.objects.create(
                # Only a signed-in staff account reaches the admin's pages.
                user_id=cast(int, request.user.pk),
                content_type_id=content_type.pk,
                object_id=str(obj.pk),
                object_repr=getattr(obj, "public_id", "") or str(obj.pk),
                action_flag=flag,
                change_message=json.dumps(message) if isinstance(message, list) else message,
            )
            for obj in objects
        ]

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet[Any], search_term: str
    ) -> tuple[models.QuerySet[Any], bool]:
        # Other models' autocomplete fields search this model's rows from their own pages.
        if not has_grant(request, self.model):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
