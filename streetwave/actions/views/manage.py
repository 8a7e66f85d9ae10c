"""Organizer pages of actions, under /<lang>/manage/: a hub's actions (create, edit, publish,
cancel), held changes, attendee lists with the relay and exports, and the coordinators'
approval queue and counts. Every view passes organizer_required, then an access helper (404),
then at most one service."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.campaigns.access import get_campaign_for
from streetwave.campaigns.risk import high_risk_hub_q, is_high_risk_city
from streetwave.core.errors import DomainError
from streetwave.core.i18n import localize_digits
from streetwave.core.text import render_markdown
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in
from streetwave.hubs.access import get_hub_for
from streetwave.hubs.permissions import (
    Permission,
    can,
    late_change_confirmers,
    permissions_for,
    second_person,
)

from .. import queries, services
from ..access import (
    get_action_for,
    get_action_with_permissions_for,
    get_campaign_action_for,
    get_download_for,
    get_export_to_approve_for,
    get_held_message_for,
    get_pending_change_for,
)
from ..forms import ActionForm, EmergencyNoticeForm, RejectActionForm, RelayMessageForm
from ..models import Action, ActionChange, EmergencyNotice, RelayMessage
from ..schedule import zone_label
from ..services.copies import duplicate_action
from ..services.emergency import MAX_NOTICE_LENGTH
from ..services.exports import ExportUnavailable

ATTENDEES_PER_PAGE = 200
ACTIONS_PER_PAGE = 200


def _overview(action: Action):
    return redirect("actions:manage_overview", action.public_id)


def _form_page(request, form, *, hub, action=None, status=200):
    second_person = None
    permissions = permissions_for(request.user, action) if action is not None else None
    if action is not None and action.status == Action.Status.PUBLISHED:
        # Said before saving: who confirms a late change of time or place, if anyone can.
        second_person = late_change_confirmers(action, requester_id=request.user.pk)
    return render(
        request,
        "actions/manage/form.html",
        {
            "form": form,
            "hub": hub,
            "action": action,
            "zone": zone_label(action.zone, action.starts_at)
            if action
            else zone_label(hub.city.zone),
            "second_person": second_person,
            "permissions": permissions,
            "current": "edit",
            # A new action of a hub inside: announcing one will be refused, for most campaigns.
            "inside": action is None and is_high_risk_city(hub.city),
        },
        status=status,
    )


@organizer_required
def hub_actions(request, hub_id):
    hub = get_hub_for(request.user, hub_id, "can_create_action")
    page = Paginator(queries.hub_actions(hub), ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "actions/manage/hub_actions.html",
        {
            "hub": hub,
            "page": page,
            "perms": permissions_for(request.user, hub),
            # Nothing is announced there: the hub files what happened instead.
            "inside": is_high_risk_city(hub.city),
        },
    )


@organizer_required
def create(request, hub_id):
    hub = get_hub_for(request.user, hub_id, "can_create_action")

    def done(action: Action):
        messages.success(
            request, _("The draft is saved. Nobody else sees it until you publish it.")
        )
        return _overview(action)

    return fill_in(
        request,
        lambda data=None: ActionForm(data, hub=hub),
        show=lambda form, status: _form_page(request, form, hub=hub, status=status),
        save=lambda form: services.create_action(hub, form.details(), actor=request.user),
        done=done,
    )


@organizer_required
def overview(request, action_id):
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_edit_action"
    )
    pending = queries.held_change(action)
    second_person = None
    if pending is not None:
        second_person = late_change_confirmers(action, requester_id=pending.requested_by_id)
    return render(
        request,
        "actions/manage/overview.html",
        {
            "action": action,
            "pending_change": pending,
            "second_person": second_person,
            "permissions": permissions,
            "description": render_markdown(action.description),
        },
    )


def _held_message(action: Action, change: ActionChange) -> str:
    second = late_change_confirmers(action, requester_id=change.requested_by_id)
    if second.kind == "hub":
        return _(
            "Your other changes are saved. The new time, place or meeting point is close to the "
            "start, so it waits until another organizer of your hub confirms it."
        )
    if second.kind == "campaign":
        return _(
            "Your other changes are saved. The new time, place or meeting point is close to the "
            "start, so it waits until a coordinator of %(campaign)s confirms it."
        ) % {"campaign": action.campaign.title if action.campaign else ""}
    return _(
        "Your other changes are saved. The new time, place or meeting point is close to the "
        "start, so it waits for a second person, but nobody can confirm it yet: ask the lead of "
        "your hub to invite another organizer, or withdraw the change."
    )


@organizer_required
def edit(request, action_id):
    action = get_action_for(request.user, action_id, "can_edit_action")

    def done(change: ActionChange | None):
        if change is not None and change.is_held:
            messages.warning(request, _held_message(action, change))
        elif change is not None:
            messages.success(
                request,
                _(
                    "The changes are saved. Everyone who RSVPed with an email is told the "
                    "new time or place, and the public page shows what changed."
                ),
            )
        else:
            messages.success(request, _("The changes are saved."))
        return _overview(action)

    return fill_in(
        request,
        lambda data=None: ActionForm(data, hub=action.hub, action=action),
        show=lambda form, status: _form_page(
            request, form, hub=action.hub, action=action, status=status
        ),
        save=lambda form: services.update_action(action, form.details(), actor=request.user),
        done=done,
    )


@organizer_required
@require_POST
def duplicate(request, action_id):
    action = get_action_for(request.user, action_id, "can_create_action")
    copy = press(
        request,
        duplicate_action,
        action,
        success=_(
            "This is a copy of the action, saved as a draft, a week later. Choose its date and "
            "time, check the rest, and save."
        ),
    )
    if copy is None:
        return _overview(action)
    return redirect("actions:manage_edit", copy.public_id)


@organizer_required
def preview(request, action_id):
    """The public page of an action as it will look, for the organizers of its hub: marked as a
    preview, without the RSVP form, never indexed."""
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_edit_action"
    )
    response = render(
        request,
        "actions/manage/preview.html",
        {
            "action": action,
            "permissions": permissions,
            "current": "preview",
            "phase": action.phase,
            "Phase": Action.Phase,
            "in_calendar": False,
            "open_for_rsvp": False,
            # The address the page will have once public.
            "page_url": request.build_absolute_uri(
                reverse("actions:detail", args=[action.public_id])
            ),
            "description": render_markdown(action.description),
            "form": None,
            "changes": [],
            "emergency_notice": None,
            "preview": True,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@organizer_required
@require_POST
def publish(request, action_id):
    action = get_action_for(request.user, action_id, "can_publish_action")
    try:
        action = services.publish_action(action, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if action.status == Action.Status.PENDING:
            messages.success(
                request,
                _(
                    "The action waits for a coordinator of the campaign to approve it. It "
                    "becomes public then."
                ),
            )
        else:
            messages.success(request, _("The action is public now."))
    return _overview(action)


@organizer_required
def cancel(request, action_id):
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_cancel_action"
    )
    if request.method == "POST":
        press(
            request,
            services.cancel_action,
            action,
            success=_(
                "The action is cancelled. Its page says so, and everyone who RSVPed with an "
                "email is told."
            ),
        )
        return _overview(action)
    return render(
        request, "actions/manage/cancel.html", {"action": action, "permissions": permissions}
    )


def _back_to_hub_or_queue(user, action: Action, permission: Permission, hub_page):
    """Back to the hub's page of the action for its organizers (`permission` lets them see it);
    a coordinator standing in as the second person, who has no such page, goes back to the
    campaign's queue."""
    if action.campaign is not None and not can(user, permission, action):
        return redirect(reverse("actions:manage_approvals", args=[action.campaign.slug]))
    return hub_page


def _after_change(user, change: ActionChange):
    return _back_to_hub_or_queue(user, change.action, "can_edit_action", _overview(change.action))


@organizer_required
@require_POST
def confirm_change(request, change_id):
    change = get_pending_change_for(request.user, change_id)
    press(
        request,
        services.confirm_action_change,
        change,
        success=_(
            "The change applies now. The people it concerns are told by email, and the public "
            "page shows a new time or place."
        ),
    )
    return _after_change(request.user, change)


@organizer_required
@require_POST
def withdraw_change(request, change_id):
    change = get_pending_change_for(request.user, change_id)
    press(
        request,
        services.withdraw_action_change,
        change,
        success=_("The change is withdrawn. The action keeps its time, place and meeting point."),
    )
    return _after_change(request.user, change)


@organizer_required
def attendees(request, action_id):
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_view_attendees"
    )
    exports = []
    if permissions & {"can_request_export", "can_approve_export"}:
        exports = queries.recent_exports(action)
    return render(
        request,
        "actions/manage/attendees.html",
        {
            "action": action,
            "page": Paginator(queries.attendee_rows(action), ATTENDEES_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "exports": exports,
            # who would approve an export, said before it is asked for
            "second_person": second_person(
                "can_approve_export", action, requester_id=request.user.pk
            )
            if "can_request_export" in permissions
            else None,
            "permissions": permissions,
        },
    )


def _messages_page(request, action, permissions, form, status=200):
    return render(
        request,
        "actions/manage/messages.html",
        {
            "action": action,
            "form": form,
            "relay_messages": queries.recent_relay_messages(action),
            # who would approve a message held for a second person, said before it is written
            "second_person": second_person(
                "can_approve_relay_message", action, requester_id=request.user.pk
            ),
            "permissions": permissions,
        },
        status=status,
    )


@organizer_required
def relay(request, action_id):
    action, permissions = get_action_with_permissions_for(
        request.user, action_id, "can_message_attendees"
    )

    def done(message: RelayMessage):
        if message.is_held:
            messages.warning(
                request,
                _(
                    "The message would reach many people, so it waits until a second person "
                    "approves it."
                ),
            )
        else:
            messages.success(request, _("The message is on its way."))
        return redirect("actions:manage_messages", action.public_id)

    return fill_in(
        request,
        RelayMessageForm,
        show=lambda form, status: _messages_page(request, action, permissions, form, status),
        save=lambda form: services.send_relay_message(
            action, body=form.cleaned_data["body"], actor=request.user
        ),
        done=done,
    )


@organizer_required
@require_POST
def approve_message(request, message_id):
    message = get_held_message_for(request.user, message_id)
    press(
        request,
        services.approve_relay_message,
        message,
        success=_("The message is on its way."),
    )
    return _back_to_hub_or_queue(
        request.user,
        message.action,
        "can_message_attendees",
        redirect("actions:manage_messages", message.action.public_id),
    )


def _emergency_page(request, action, form, status=200):
    permissions = permissions_for(request.user, action)
    notices = queries.recent_emergency_notices(action)
    return render(
        request,
        "actions/manage/emergency.html",
        {
            "action": action,
            "form": form,
            "notices": notices,
            # The rule of services.send_emergency_notice, so the form shows only when it works.
            "is_open": action.is_open_for_rsvp,
            "permissions": permissions,
        },
        status=status,
    )


@organizer_required
def emergency(request, action_id):
    action = get_action_for(request.user, action_id, "can_send_emergency_notice")

    def done(notice: EmergencyNotice):
        messages.success(
            request,
            ngettext(
                "The notice is on the public page and on its way to %(count)s person.",
                "The notice is on the public page and on its way to %(count)s people.",
                notice.recipient_count,
            )
            % {"count": localize_digits(notice.recipient_count)},
        )
        return redirect("actions:manage_emergency", action.public_id)

    # A draft to start from (?body=, from an incident's page): shown in the form, sent only
    # when the organizer sends it.
    draft = request.GET.get("body", "")[:MAX_NOTICE_LENGTH]
    return fill_in(
        request,
        lambda data=None: EmergencyNoticeForm(data, initial={"body": draft}),
        show=lambda form, status: _emergency_page(request, action, form, status),
        save=lambda form: services.send_emergency_notice(
            action, body=form.cleaned_data["body"], actor=request.user
        ),
        done=done,
    )


def _to_exports(action):
    return redirect(reverse("actions:manage_attendees", args=[action.public_id]) + "#exports")


@organizer_required
@require_POST
def request_export(request, action_id):
    action = get_action_for(request.user, action_id, "can_request_export")
    press(
        request,
        services.request_attendee_export,
        action,
        success=_(
            "Your request is recorded. Once a second person approves it, you can download the "
            "list here, once, within 15 minutes."
        ),
    )
    return _to_exports(action)


@organizer_required
@require_POST
def approve_export(request, export_id):
    export = get_export_to_approve_for(request.user, export_id)
    press(
        request,
        services.approve_attendee_export,
        export,
        success=_(
            "The export is approved. Only the organizer who asked for it can download it, "
            "once, within 15 minutes."
        ),
    )
    return _back_to_hub_or_queue(
        request.user, export.action, "can_view_attendees", _to_exports(export.action)
    )


@organizer_required
def download_export(request, export_id):
    export = get_download_for(request.user, export_id)
    if request.method != "POST":
        return render(request, "actions/manage/download.html", {"export": export})
    try:
        content = services.download_attendee_export(export, actor=request.user)
    except ExportUnavailable as error:
        # Spent or expired between the page and the click: the same as a missing page.
        raise Http404 from error
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="attendees-{export.action.public_id}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _queue_page(request, campaign, reject_forms=None, status=200):
    queue = queries.approval_queue(request.user, campaign)
    # Each action is shown with its rendered description and its own form to send it back.
    pending: list[Any] = queue.actions
    reject_forms = reject_forms or {}
    for action in pending:
        action.description_html = render_markdown(action.description)
        action.reject_form = reject_forms.get(action.pk) or RejectActionForm(
            prefix=action.public_id
        )
    return render(
        request,
        "actions/manage/approvals.html",
        {
            "campaign": campaign,
            "pending": pending,
            "held_changes": queue.changes,
            "held_messages": queue.messages,
            "held_exports": queue.exports,
        },
        status=status,
    )


@organizer_required
def approvals(request, slug):
    return _queue_page(request, get_campaign_for(request.user, slug, "can_approve_action"))


@organizer_required
@require_POST
def approve(request, slug, action_id):
    action = get_campaign_action_for(request.user, slug, action_id, "can_approve_action")
    press(
        request,
        services.approve_action,
        action,
        success=_("The action is approved and public now."),
    )
    return redirect("actions:manage_approvals", slug)


@organizer_required
@require_POST
def reject(request, slug, action_id):
    action = get_campaign_action_for(request.user, slug, action_id, "can_approve_action")
    form = RejectActionForm(request.POST, prefix=action.public_id)
    if form.is_valid():
        press(
            request,
            services.reject_action,
            action,
            reason=form.cleaned_data["reason"],
            success=_("The action is sent back to its hub as a draft, with your reason."),
        )
        return redirect("actions:manage_approvals", slug)
    return _queue_page(
        request,
        get_campaign_for(request.user, slug, "can_approve_action"),
        {action.pk: form},
        status=400,
    )


@organizer_required
def counts(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_view_counts")
    actions = queries.counted_actions(campaign)
    per_action = actions.select_related("hub", "city").order_by("starts_at", "id")
    return render(
        request,
        "actions/manage/counts.html",
        {
            "campaign": campaign,
            # Hubs in high-risk countries are never named to coordinators (docs/privacy.md).
            "hubs": actions.exclude(high_risk_hub_q("hub__")).totals_per_hub(),
            "page": Paginator(per_action, ACTIONS_PER_PAGE).get_page(request.GET.get("page")),
        },
    )
