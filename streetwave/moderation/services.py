"""The only code that writes moderation: reports, hub flags, takedowns of actions and the
suspension of hubs, and the reinstatement of a hub.

A takedown is decided by a coordinator of the campaign (`can_moderate`). When it would tell more
than MODERATION_APPROVAL_THRESHOLD people, it is held for a second coordinator
(`can_approve_moderation`, never the requester) through the one two-person rule; otherwise it is
created approved and applied at once. Applying it takes the action (or every published action of
the hub) down: status `removed`, so it leaves the map, the lists, the calendars, the API and the
wave, the cached live documents of its campaign are forgotten when the transaction commits, and
its people going or on the waitlist are told, in their language, with the reason.

A suspended hub's memberships grant nothing (hubs.permissions), its organizers' sessions end, and
its public page and actions are hidden. Reinstating it makes it active again; the actions taken
down stay removed (their people were told they do not take place), and the hub may publish again.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.accounts.services import end_all_sessions
from streetwave.actions.models import RSVP, Action
from streetwave.actions.services.changes import withdraw_pending_changes
from streetwave.actions.services.notices import message_rsvps
from streetwave.actions.services.reminders import schedule_messages
from streetwave.approvals.models import Approval
from streetwave.approvals.services import decide_held
from streetwave.audit.services import record
from streetwave.campaigns.live import KINDS, live_key
from streetwave.campaigns.tally import tally_key
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.i18n import localize_digits
from streetwave.core.locking import lock
from streetwave.hubs.models import Hub
from streetwave.hubs.permissions import can

from .access import TAKEN_DOWN_FROM
from .models import MODERATION_APPROVAL_THRESHOLD, HubFlag, Report, Takedown

TEXT_MAX_LENGTH = 2000


class NotTakenDown(Conflict):
    default_message = _("This action is not public any more: there is nothing to take down.")


class AlreadyHeld(Conflict):
    default_message = _(
        "A takedown of this is already waiting for a second coordinator. Approve or withdraw "
        "it in the moderation queue."
    )


class AlreadySuspended(Conflict):
    default_message = _("This hub is already suspended.")


class NotSuspended(Conflict):
    default_message = _("This hub is not suspended.")


class AlreadyHandled(Conflict):
    default_message = _("This has already been marked as handled. Reload the page.")


class AlreadyFlagged(Conflict):
    default_message = _(
        "Your hub has already flagged this hub. The coordinators have it in their queue."
    )


# -- reports ---------------------------------------------------------------------------------


def _clean_text(text: str, *, field: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(_("Say in a few words what you noticed."), field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise DomainError(
            _("Keep it under %(count)s characters, please.")
            % {"count": localize_digits(TEXT_MAX_LENGTH)},
            field=field,
        )
    return text


def report_action(
    action: Action, *, kind: str, text: str, contact: str = "", wants_contact: bool = False
) -> Report:
    """A visitor's report about a public action, for the coordinators of its campaign. The
    contact is kept, encrypted, only when the reporter asked to be contacted."""
    if kind not in Report.Kind.values:
        raise DomainError(_("Choose what is wrong."), field="kind")
    text = _clean_text(text, field="text")
    contact = contact.strip()
    if wants_contact and not contact:
        raise DomainError(
            _("Say how the coordinators can reach you, or untick the box."), field="contact"
        )
    if contact and not wants_contact:
        raise DomainError(
            _(
                "Tick the box if you want to be contacted, or leave this empty: an address is "
                "kept only to write back to you."
            ),
            field="contact",
        )
    with transaction.atomic():
        report = Report.objects.create(
            action=action, kind=kind, text=text, contact=contact, wants_contact=wants_contact
        )
        record(
            "report.created",
            target=report,
            hub=action.hub,
            data={"action": action.public_id, "kind": kind},
        )
    return report


def mark_report_handled(report: Report, *, actor: User) -> Report:
    """A coordinator has dealt with a report: it leaves the queue."""
    if not can(actor, "can_moderate", report.action):
        raise NotAllowed()
    with transaction.atomic():
        current = lock(Report.objects.filter(pk=report.pk)).select_related("action__hub").get()
        if current.handled_at is not None:
            raise AlreadyHandled()
        current.handled_at = timezone.now()
        current.handled_by = actor
        current.save(update_fields=["handled_at", "handled_by", "updated_at"])
        record("report.handled", actor=actor, target=current, hub=current.action.hub)
    return current


# -- hub flags -------------------------------------------------------------------------------


def flag_hub(hub: Hub, *, by_hub: Hub, reason: str, actor: User) -> HubFlag:
    """A lead of `by_hub` tells the coordinators that `hub` looks suspicious."""
    if not by_hub.is_active or not can(actor, "can_flag_hub", by_hub):
        raise NotAllowed()
    if hub.pk == by_hub.pk:
        raise DomainError(_("Choose another hub than the one you flag."), field="by_hub")
    reason = _clean_text(reason, field="reason")
    with transaction.atomic():
        current = lock(Hub.objects.filter(pk=hub.pk)).get()
        if not current.is_active:
            raise Conflict(_("Only an active hub can be flagged."))
        if HubFlag.objects.filter(hub=current, by_hub=by_hub, handled_at__isnull=True).exists():
            raise AlreadyFlagged()
        flag = HubFlag.objects.create(hub=current, by_hub=by_hub, flagged_by=actor, reason=reason)
        # The reason is the lead's prose: it stays on the flag, not in the log.
        record(
            "hub.flagged",
            actor=actor,
            target=current,
            hub=by_hub,
            data={"flag": flag.public_id, "by_hub": by_hub.public_id},
        )
    return flag


def mark_flag_handled(flag: HubFlag, *, actor: User) -> HubFlag:
    if not can(actor, "can_moderate", flag.hub):
        raise NotAllowed()
    with transaction.atomic():
        current = lock(HubFlag.objects.filter(pk=flag.pk)).select_related("hub").get()
        if current.handled_at is not None:
            raise AlreadyHandled()
        current.handled_at = timezone.now()
        current.handled_by = actor
        current.save(update_fields=["handled_at", "handled_by", "updated_at"])
        record("hub_flag.handled", actor=actor, target=current, hub=current.hub)
    return current


# -- takedowns -------------------------------------------------------------------------------


def _told(actions: "Iterable[Action] | None" = None, *, hub: Hub | None = None) -> int:
    """How many people a takedown tells: the RSVPs with an address, going or on the waitlist,
    of published actions that have not ended."""
    now = timezone.now()
    rsvps = RSVP.objects.filter(
        status__in=RSVP.LIVE, action__status=Action.Status.PUBLISHED, action__ends_at__gt=now
    ).exclude(contact_index="")
    if hub is not None:
        rsvps = rsvps.filter(action__hub=hub)
    else:
        rsvps = rsvps.filter(action__in=[action.pk for action in actions or []])
    return rsvps.count()


def _check_reason(reason: str) -> None:
    if reason not in Takedown.Reason.values:
        raise DomainError(_("Choose a reason."), field="reason")


def _forget_live_documents(slugs: Iterable[str]) -> None:
    """After the commit: the cached map, wave and tally of these campaigns are dropped, so the
    next reader gets a copy built without what was taken down (not one up to 15 s old)."""
    keys = [
        key
        for slug in set(slugs)
        for key in [
            tally_key(slug),
            *(live_key(kind, slug, code) for kind in KINDS for code, _name in settings.LANGUAGES),
        ]
    ]
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys))


def _remove(action: Action, takedown: Takedown, actor: User) -> int:
    """Take one action down, inside the caller's transaction; returns how many were told."""
    current = lock(Action.objects.filter(pk=action.pk)).select_related("hub", "campaign").get()
    if current.status not in TAKEN_DOWN_FROM:
        return 0
    tell = current.status == Action.Status.PUBLISHED and timezone.now() < current.ends_at
    withdraw_pending_changes(current, actor=actor)
    current.status = Action.Status.REMOVED
    current.save(update_fields=["status", "updated_at"])
    # No reminder or reveal of the meeting point any more.
    schedule_messages(current)
    notified = 0
    if tell:
        notified = message_rsvps(
            current,
            "moderation.action_removed",
            key=f"takedown:{takedown.public_id}:{current.public_id}",
            takedown=takedown.pk,
        )
    record(
        "action.taken_down",
        actor=actor,
        target=current,
        hub=current.hub,
        data={"takedown": takedown.public_id, "reason": takedown.reason, "notified": notified},
    )
    if current.campaign is not None:
        _forget_live_documents([current.campaign.slug])
    return notified


def _suspend(hub: Hub, takedown: Takedown, actor: User) -> None:
    current = lock(Hub.objects.filter(pk=hub.pk)).get()
    if current.status == Hub.Status.SUSPENDED:
        return
    current.status = Hub.Status.SUSPENDED
    current.save(update_fields=["status", "updated_at"])
    notified = sum(
        _remove(action, takedown, actor)
        for action in Action.objects.filter(hub=current, status=Action.Status.PUBLISHED)
    )
    # Their memberships grant nothing now; a session open on one of its pages ends too.
    organizers = User.objects.filter(memberships__hub=current, is_active=True).distinct()
    ended = sum(end_all_sessions(user, actor=actor) for user in organizers)
    record(
        "hub.suspended",
        actor=actor,
        target=current,
        hub=current,
        data={
            "takedown": takedown.public_id,
            "reason": takedown.reason,
            "notified": notified,
            "sessions_ended": ended,
        },
    )
    # Its cancelled and completed actions leave the public lists too (ActionQuerySet.public).
    _forget_live_documents(
        Action.objects.filter(hub=current, campaign__isnull=False).values_list(
            "campaign__slug", flat=True
        )
    )


def _apply(takedown: Takedown, actor: User) -> None:
    if takedown.action is not None:
        _remove(takedown.action, takedown, actor)
    elif takedown.hub is not None:
        _suspend(takedown.hub, takedown, actor)


def _ask(
    *,
    action: Action | None,
    hub: Hub | None,
    reason: str,
    note: str,
    recipients: int,
    actor: User,
) -> Takedown:
    """Create the takedown, held or applied at once, inside the caller's transaction."""
    subject = {"action": action} if action is not None else {"hub": hub}
    if Takedown.objects.filter(approval=Approval.HELD, **subject).exists():
        raise AlreadyHeld()
    held = recipients > MODERATION_APPROVAL_THRESHOLD
    takedown = Takedown.objects.create(
        **subject,
        reason=reason,
        note=note.strip(),
        recipients=recipients,
        requested_by=actor,
        approval=Approval.HELD if held else Approval.APPROVED,
    )
    if held:
        target = action if action is not None else hub
        assert target is not None
        record(
            "takedown.held",
            actor=actor,
            target=takedown,
            hub=action.hub if action is not None else hub,
            data={
                "subject": target.public_id,
                "reason": reason,
                "recipients": recipients,
            },
        )
    else:
        _apply(takedown, actor)
    return takedown


def take_down_action(action: Action, *, reason: str, note: str = "", actor: User) -> Takedown:
    """Take a public action down, with a reason its people are told; held for a second
    coordinator when it would tell more than MODERATION_APPROVAL_THRESHOLD people."""
    if not can(actor, "can_moderate", action):
        raise NotAllowed()
    _check_reason(reason)
    with transaction.atomic():
        current = lock(Action.objects.filter(pk=action.pk)).select_related("hub").get()
        if current.status not in TAKEN_DOWN_FROM:
            raise NotTakenDown()
        return _ask(
            action=current,
            hub=None,
            reason=reason,
            note=note,
            recipients=_told([current]),
            actor=actor,
        )


def suspend_hub(hub: Hub, *, reason: str, note: str = "", actor: User) -> Takedown:
    """Suspend a hub: its public actions are taken down, its organizers lose its pages and their
    sessions end, and it is hidden from the public. Held for a second coordinator when its
    actions' people to tell are more than MODERATION_APPROVAL_THRESHOLD."""
    if not can(actor, "can_moderate", hub):
        raise NotAllowed()
    _check_reason(reason)
    with transaction.atomic():
        current = lock(Hub.objects.filter(pk=hub.pk)).get()
        if current.status == Hub.Status.SUSPENDED:
            raise AlreadySuspended()
        return _ask(
            action=None,
            hub=current,
            reason=reason,
            note=note,
            recipients=_told(hub=current),
            actor=actor,
        )


def _audit(takedown: Takedown) -> dict[str, object]:
    return {
        "target": takedown,
        "hub": takedown.action.hub if takedown.action is not None else takedown.hub,
        "data": {"subject": takedown.subject.public_id, "reason": takedown.reason},
    }


def approve_takedown(takedown: Takedown, *, actor: User) -> Takedown:
    """A second coordinator approves a held takedown: it is applied now."""

    def apply(row: Takedown) -> None:
        _apply(row, actor)

    return decide_held(
        Takedown.objects.filter(pk=takedown.pk).select_related("action__hub", "hub"),
        decision="approve",
        actor=actor,
        may=lambda row: can(actor, "can_approve_moderation", row.subject),
        verb="takedown.approved",
        audit=_audit,
        then=apply,
    )


def withdraw_takedown(takedown: Takedown, *, actor: User) -> Takedown:
    """A coordinator (the requester too) withdraws a held takedown: nothing is taken down."""
    return decide_held(
        Takedown.objects.filter(pk=takedown.pk).select_related("action__hub", "hub"),
        decision="withdraw",
        actor=actor,
        may=lambda row: can(actor, "can_moderate", row.subject),
        verb="takedown.withdrawn",
        audit=_audit,
    )


def reinstate_hub(hub: Hub, *, actor: User) -> Hub:
    """Lift a suspension: the hub is active again and its organizers get its pages back. The
    actions taken down stay removed: their people were told they do not take place, and the
    hub can publish again."""
    if not can(actor, "can_moderate", hub):
        raise NotAllowed()
    with transaction.atomic():
        current = lock(Hub.objects.filter(pk=hub.pk)).get()
        if current.status != Hub.Status.SUSPENDED:
            raise NotSuspended()
        current.status = Hub.Status.ACTIVE
        current.save(update_fields=["status", "updated_at"])
        record("hub.reinstated", actor=actor, target=current, hub=current)
        _forget_live_documents(
            Action.objects.filter(hub=current, campaign__isnull=False).values_list(
                "campaign__slug", flat=True
            )
        )
    return current
