"""The only code that writes hubs, proposals, vouches, invitations and memberships.

How a hub comes to exist: anyone proposes it (`propose_hub`); the applicant confirms the address
(`verify_hub_application`); two organizers of two different active hubs vouch for it
(`vouch_for_hub`) or one campaign coordinator approves it (`approve_hub`); it becomes active and
the applicant is invited as its lead. From then on its lead invites the team
(`invite_organizer`, `accept_invitation`) and removes people (`remove_member`).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.accounts.services import end_all_sessions
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.core.crypto import normalize_contact
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.ids import hash_token, new_token
from streetwave.core.locking import lock
from streetwave.outbox.services import queue_message, recipient
from streetwave.places.models import City

from .models import (
    INVITATION_VALID_FOR,
    MAX_DEPTH,
    VERIFICATION_VALID_FOR,
    Hub,
    HubApplication,
    Invitation,
    Membership,
    Vouch,
)
from .permissions import Asker, can

# Verified proposals nobody vouched for or approved are deleted after this long.
PROPOSAL_RETENTION = dt.timedelta(days=90)
# The retention job deletes at most this many proposals per run, so one run stays short.
RETENTION_BATCH = 500


class NotAProposal(Conflict):
    default_message = _("This hub is no longer waiting to be vouched for.")


class AlreadyVouched(Conflict):
    default_message = _("You or your hub have already vouched for this hub.")


class TreeTooDeep(Conflict):
    default_message = _("The sponsoring hub is too deep in the tree to sponsor another hub.")


class InvitationUnusable(Conflict):
    default_message = _("This invitation has already been used or has expired.")


class InvitationForAnotherAddress(NotAllowed):
    default_message = _(
        "This invitation was sent to another email address. Sign in with the account of that "
        "address, or ask the hub lead to invite the address of your account."
    )


class AlreadyMember(Conflict):
    default_message = _("You already have a role in this hub.")


class LastLead(Conflict):
    default_message = _("A hub needs a lead. Invite another lead before removing the last one.")


class HubNotActive(DomainError):
    default_message = _("Only an active hub can do this.")


def _placeholder_token_hash() -> str:
    # The real token is made by the task that mails it, so it never passes through the broker;
    # until then the row holds the hash of a token nobody knows.
    return hash_token(new_token())


def _language(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def create_hub(
    *,
    name: str,
    city: City,
    languages: list[str],
    sponsor: Hub | None = None,
    status: str = Hub.Status.PROPOSED,
    actor: Asker | None = None,
) -> Hub:
    with transaction.atomic():
        hub = Hub(name=name, city=city, languages=languages, sponsor=sponsor, status=status)
        hub.path, hub.depth = hub.tree_path_for(sponsor)
        if status == Hub.Status.ACTIVE:
            hub.activated_at = timezone.now()
        hub.save()
        record(
            "hub.created",
            actor=actor,
            target=hub,
            hub=hub,
            data={"sponsor": sponsor.public_id if sponsor else None, "status": status},
        )
    return hub


def propose_hub(
    *,
    name: str,
    city: City,
    languages: list[str],
    motivation: str,
    email: str,
    language: str,
    actor: Asker | None = None,
) -> Hub:
    """A proposed hub, visible to nobody until its applicant confirms the address by the link
    that is mailed to them."""
    with transaction.atomic():
        hub = create_hub(name=name, city=city, languages=languages, actor=actor)
        application = HubApplication.objects.create(
            hub=hub,
            email=email,
            language=_language(language),
            motivation=motivation,
            token_hash=_placeholder_token_hash(),
            expires_at=timezone.now() + VERIFICATION_VALID_FOR,
        )
        record("hub.proposed", actor=actor, target=hub, hub=hub)
        queue_message("hub.verification", [recipient("application", application.pk)])
    return hub


def issue_link_token(row: HubApplication | Invitation) -> str:
    """A new token for the link of a hub application or an invitation, made when its mail is
    rendered: the database keeps the hash, and the link of any earlier mail stops working."""
    token = new_token()
    type(row).objects.filter(pk=row.pk).update(token_hash=hash_token(token))
    return token


def verify_hub_application(application: HubApplication, *, actor: Asker | None = None) -> Hub:
    """The applicant proved the address: the proposal now waits for vouches or approval."""
    with transaction.atomic():
        now = timezone.now()
        # The conditional update makes a double submit verify once.
        verified = HubApplication.objects.filter(
            pk=application.pk,
            verified_at__isnull=True,
            expires_at__gt=now,
            hub__status=Hub.Status.PROPOSED,
        ).update(verified_at=now)
        if not verified:
            raise NotAProposal()
        application.verified_at = now
        record("hub.application_verified", actor=actor, target=application.hub, hub=application.hub)
    return application.hub


def _locked_proposal(hub: Hub) -> Hub:
    """The proposal, re-read under a row lock so that concurrent vouches activate it once."""
    locked: Hub | None = lock(Hub.objects.awaiting_vouches().filter(pk=hub.pk)).first()
    if locked is None:
        raise NotAProposal()
    return locked


def vouch_for_hub(hub: Hub, *, voucher_hub: Hub, actor: User) -> Vouch:
    """`actor` vouches for the proposed `hub` as an organizer of `voucher_hub`. The second vouch
    from a different active hub activates it, sponsored by the first voucher's hub."""
    with transaction.atomic():
        if not voucher_hub.is_active:
            raise HubNotActive()
        if not can(actor, "can_vouch_hub", voucher_hub):
            raise NotAllowed()
        hub = _locked_proposal(hub)
        if Vouch.objects.filter(hub=hub, voucher=actor).exists():
            raise AlreadyVouched()
        if Vouch.objects.filter(hub=hub, voucher_hub=voucher_hub).exists():
            raise AlreadyVouched()
        vouch = Vouch.objects.create(hub=hub, voucher=actor, voucher_hub=voucher_hub)
        # Logged in the voucher's hub, so its organizers see what was done in their name.
        record("hub.vouched", actor=actor, target=hub, hub=voucher_hub)
        # The constraints give each vouch of a proposal its own hub, so two vouches are two
        # hubs; a hub suspended since it vouched no longer counts.
        counting = list(
            Vouch.objects.filter(hub=hub, voucher_hub__status=Hub.Status.ACTIVE)
            .select_related("voucher_hub")
            .order_by("created_at", "id")
        )
        if len(counting) >= 2:
            _activate(hub, sponsor=counting[0].voucher_hub, actor=actor, via="vouches")
    return vouch


def approve_hub(hub: Hub, *, campaign: Campaign, actor: User) -> Hub:
    """A coordinator activates a proposal alone. If an organizer already vouched for it, that
    organizer's hub is still its sponsor; otherwise it starts a tree of its own."""
    with transaction.atomic():
        if not can(actor, "can_approve_hub", campaign):
            raise NotAllowed()
        hub = _locked_proposal(hub)
        first = (
            Vouch.objects.filter(hub=hub, voucher_hub__status=Hub.Status.ACTIVE)
            .select_related("voucher_hub")
            .order_by("created_at", "id")
            .first()
        )
        record(
            "hub.approved",
            actor=actor,
            target=hub,
            hub=hub,
            data={"campaign": campaign.public_id},
        )
        _activate(hub, sponsor=first.voucher_hub if first else None, actor=actor, via="approval")
    return hub


def _activate(hub: Hub, *, sponsor: Hub | None, actor: User, via: str) -> None:
    if sponsor is not None and sponsor.depth >= MAX_DEPTH:
        raise TreeTooDeep()
    hub.status = Hub.Status.ACTIVE
    hub.sponsor = sponsor
    hub.path, hub.depth = hub.tree_path_for(sponsor)
    hub.activated_at = timezone.now()
    hub.save(update_fields=["status", "sponsor", "path", "depth", "activated_at", "updated_at"])
    record(
        "hub.activated",
        actor=actor,
        target=hub,
        hub=hub,
        data={"via": via, "sponsor": sponsor.public_id if sponsor else None},
    )
    application = HubApplication.objects.get(hub=hub)
    _create_invitation(
        hub,
        email=application.email,
        role=Membership.Role.LEAD,
        language=application.language,
        invited_by=actor,
    )
    # The invitation carries the address on; the application keeps nothing personal.
    application.email = ""
    application.motivation = ""
    application.save(update_fields=["email", "motivation"])


def _create_invitation(
    hub: Hub, *, email: str, role: str, language: str | None, invited_by: User
) -> Invitation:
    invitation = Invitation.objects.create(
        hub=hub,
        role=role,
        email=email,
        language=_language(language),
        token_hash=_placeholder_token_hash(),
        expires_at=timezone.now() + INVITATION_VALID_FOR,
        invited_by=invited_by,
    )
    record(
        "invitation.created",
        actor=invited_by,
        target=invitation,
        hub=hub,
        data={"role": role},
    )
    queue_message("hub.invitation", [recipient("invitation", invitation.pk)])
    return invitation


def invite_organizer(
    hub: Hub, *, email: str, role: str, actor: User, language: str | None = None
) -> Invitation:
    """The hub lead invites someone by email with a role. The mail goes out in `language`
    (by default the lead's own)."""
    with transaction.atomic():
        if not can(actor, "can_invite_organizers", hub):
            raise NotAllowed()
        if not hub.is_active:
            raise HubNotActive()
        if role not in Membership.Role.values:
            raise DomainError(_("Choose one of the roles offered."), field="role")
        return _create_invitation(
            hub,
            email=email,
            role=role,
            language=language or getattr(actor, "language", None),
            invited_by=actor,
        )


def accept_invitation(invitation: Invitation, user: User, *, actor: User) -> Membership:
    """`user` takes the role the invitation offers. The invitation works once: of two
    simultaneous submits, one creates the membership and the other fails."""
    with transaction.atomic():
        current = Invitation.objects.select_related("hub").get(pk=invitation.pk)
        if not current.is_open() or not current.hub.is_active:
            raise InvitationUnusable()
        if normalize_contact(current.email) != normalize_contact(user.email):
            raise InvitationForAnotherAddress()
        if Membership.objects.filter(user=user, hub=current.hub).exists():
            raise AlreadyMember()
        now = timezone.now()
        # Claiming with a conditional update is what makes the invitation single-use.
        claimed = Invitation.objects.filter(
            pk=current.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, used_by=user, email="")
        if not claimed:
            raise InvitationUnusable()
        membership = Membership.objects.create(user=user, hub=current.hub, role=current.role)
        record(
            "invitation.accepted",
            actor=actor,
            target=current,
            hub=current.hub,
            data={"role": current.role},
        )
    return membership


def remove_member(membership: Membership, *, actor: User) -> None:
    """Take a person's role in a hub away, and sign them out everywhere: a session opened with
    the role must not outlive it."""
    with transaction.atomic():
        hub = membership.hub
        if not can(actor, "can_manage_members", hub):
            raise NotAllowed()
        current = lock(Membership.objects.filter(pk=membership.pk)).select_related("user").first()
        if current is None:
            return
        if (
            current.role == Membership.Role.LEAD
            and not Membership.objects.filter(hub=hub, role=Membership.Role.LEAD)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise LastLead()
        current.delete()
        record(
            "membership.removed",
            actor=actor,
            target=current.user,
            hub=hub,
            data={"role": current.role},
        )
        end_all_sessions(current.user, actor=actor)


def erase_stale_hub_data(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Retention: delete proposals whose link expired unconfirmed, confirmed proposals nobody
    took up within PROPOSAL_RETENTION, and invitations that expired unused (with their
    addresses). What was decided stays in the audit log, by public id."""
    now = now or timezone.now()
    with transaction.atomic():
        unconfirmed = Q(application__verified_at__isnull=True, application__expires_at__lte=now)
        forgotten = Q(application__verified_at__lte=now - PROPOSAL_RETENTION)
        stale = list(
            Hub.objects.filter(status=Hub.Status.PROPOSED, actions__isnull=True)
            .filter(unconfirmed | forgotten)
            .values_list("pk", flat=True)[:RETENTION_BATCH]
        )
        _total, deleted_hubs = Hub.objects.filter(pk__in=stale).delete()
        _total, deleted_invitations = Invitation.objects.filter(
            pk__in=list(
                Invitation.objects.filter(used_at__isnull=True, expires_at__lte=now).values_list(
                    "pk", flat=True
                )[:RETENTION_BATCH]
            )
        ).delete()
        counts = {
            "proposals": deleted_hubs.get(Hub._meta.label, 0),
            "invitations": deleted_invitations.get(Invitation._meta.label, 0),
        }
        if any(counts.values()):
            record("hub.stale_data_erased", data=counts)
    return counts
