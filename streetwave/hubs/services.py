"""The only code that writes hubs, proposals, vouches, invitations and memberships.

How a hub comes to exist: anyone proposes it (`propose_hub`); the applicant confirms the address
(`verify_hub_application`); two organizers of two different active hubs vouch for it
(`vouch_for_hub`) or one campaign coordinator approves it (`approve_hub`); it becomes active and
the applicant is invited as its lead. From then on its lead invites the team
(`invite_organizer`, `accept_invitation`) and removes people (`remove_member`).

A campaign's coordinators are invited by an operator (`invite_coordinator`, every operator is told
by mail) and removed by one (`remove_coordinator`). A coordinator may found a hub at the root of a
tree (`create_founding_hub`), whose first lead is invited like any other. A hub takes part in a
campaign once it answers the call (`answer_call`, or by planning its first action there); where
the campaign's coordinators accept each hub, one of them accepts the answer (`accept_answer`).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.accounts.services import end_all_sessions
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import is_high_risk_city
from streetwave.core import datamap
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
    CampaignRole,
    Hub,
    HubApplication,
    Invitation,
    Membership,
    Participation,
    Vouch,
)
from .permissions import Asker, can, holders


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


class LastLeadCloses(Conflict):
    default_message = _(
        "A hub needs a lead: invite another lead of %(hub)s before closing your account."
    )


class HubNotActive(DomainError):
    default_message = _("Only an active hub can do this.")


class CampaignClosed(Conflict):
    default_message = _("This campaign has ended: it takes no new coordinators or hubs.")


class AlreadyCoordinator(Conflict):
    default_message = _("This person already coordinates this campaign.")


class CallNotOpen(Conflict):
    default_message = _("Only the call of an open campaign can be answered.")


class AlreadyAnswered(Conflict):
    default_message = _("Your hub has already answered the call of this campaign.")


class NotWaiting(Conflict):
    default_message = _("This answer is no longer waiting to be accepted.")


class CallNotAnswered(DomainError):
    default_message = _(
        "In this campaign a coordinator accepts each hub before it plans actions. Answer the "
        "campaign's call from your hub's page first."
    )


class AnswerNotAccepted(DomainError):
    default_message = _(
        "Your hub's answer to the call of this campaign waits for a coordinator. You can plan "
        "actions in it once it is accepted."
    )


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


def _locked_proposal(hub: Hub, *, by_voucher: bool = False) -> Hub:
    """The proposal, re-read under a row lock so that concurrent vouches activate it once; for
    a voucher, only one open to vouchers (`HubQuerySet.open_to_vouchers`)."""
    proposals = Hub.objects.open_to_vouchers() if by_voucher else Hub.objects.awaiting_vouches()
    locked: Hub | None = lock(proposals.filter(pk=hub.pk)).first()
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
        hub = _locked_proposal(hub, by_voucher=True)
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
    hub: Hub | None,
    *,
    email: str,
    role: str,
    language: str | None,
    invited_by: User,
    campaign: Campaign | None = None,
) -> Invitation:
    invitation = Invitation.objects.create(
        hub=hub,
        campaign=campaign,
        role=role,
        email=email,
        language=_language(language),
        token_hash=_placeholder_token_hash(),
        expires_at=timezone.now() + INVITATION_VALID_FOR,
        invited_by=invited_by,
    )
    data = {"role": role}
    if campaign is not None:
        data["campaign"] = campaign.public_id
    record("invitation.created", actor=invited_by, target=invitation, hub=hub, data=data)
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


def accept_invitation(
    invitation: Invitation, user: User, *, actor: User
) -> Membership | CampaignRole:
    """`user` takes the role the invitation offers, in its hub or its campaign, if the account's
    address is the one invited. The invitation works once: of two simultaneous submits, one
    creates the role and the other fails."""
    with transaction.atomic():
        current = Invitation.objects.select_related("hub", "campaign").get(pk=invitation.pk)
        if not current.is_open() or not _invitation_target_usable(current):
            raise InvitationUnusable()
        if normalize_contact(current.email) != normalize_contact(user.email):
            raise InvitationForAnotherAddress()
        if current.campaign is not None:
            if CampaignRole.objects.filter(user=user, campaign=current.campaign).exists():
                raise AlreadyCoordinator()
        elif Membership.objects.filter(user=user, hub=current.hub).exists():
            raise AlreadyMember()
        now = timezone.now()
        # Claiming with a conditional update is what makes the invitation single-use.
        claimed = Invitation.objects.filter(
            pk=current.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, used_by=user, email="")
        if not claimed:
            raise InvitationUnusable()
        role: Membership | CampaignRole
        data = {"role": current.role}
        if current.campaign is not None:
            role = CampaignRole.objects.create(
                user=user, campaign=current.campaign, role=CampaignRole.Role.COORDINATOR
            )
            data["campaign"] = current.campaign.public_id
        else:
            assert current.hub is not None  # the check constraint: a hub or a campaign
            role = Membership.objects.create(user=user, hub=current.hub, role=current.role)
        record("invitation.accepted", actor=actor, target=current, hub=current.hub, data=data)
    return role


def _invitation_target_usable(invitation: Invitation) -> bool:
    """A hub invitation needs an active hub; a coordinator's, a campaign that has not ended."""
    if invitation.campaign is not None:
        return _campaign_takes_people(invitation.campaign)
    return invitation.hub is not None and invitation.hub.is_active


def _campaign_takes_people(campaign: Campaign) -> bool:
    return campaign.status in (Campaign.Status.DRAFT, Campaign.Status.LIVE)


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


# A campaign's coordinators: invited by an operator, each appointment told to every operator
# (docs/decisions/0006-appointing-coordinators.md).


def invite_coordinator(campaign: Campaign, *, email: str, language: str, actor: User) -> Invitation:
    """An operator invites the owner of `email` to coordinate `campaign`. The invitation works
    only for an account of that address; every operator is told who appointed whom."""
    with transaction.atomic():
        if not can(actor, "can_appoint_coordinator", campaign):
            raise NotAllowed()
        if not _campaign_takes_people(campaign):
            raise CampaignClosed()
        if CampaignRole.objects.filter(
            campaign=campaign, user__email__iexact=normalize_contact(email)
        ).exists():
            raise AlreadyCoordinator(field="email")
        invitation = _create_invitation(
            None,
            campaign=campaign,
            email=email,
            role=CampaignRole.Role.COORDINATOR,
            language=language,
            invited_by=actor,
        )
        record(
            "coordinator.appointed",
            actor=actor,
            target=invitation,
            data={"campaign": campaign.public_id},
        )
        operators = holders("can_appoint_coordinator", campaign).order_by("pk")
        queue_message(
            "hub.coordinator_appointed",
            [recipient("user", pk) for pk in operators.values_list("pk", flat=True)],
            key=f"hub.coordinator_appointed:{invitation.public_id}",
            data={"invitation": invitation.pk},
        )
    return invitation


def remove_coordinator(campaign: Campaign, *, user: User, actor: User) -> None:
    """An operator takes `user`'s role in `campaign` away and signs them out everywhere: a
    session opened with the role must not outlive it."""
    with transaction.atomic():
        if not can(actor, "can_appoint_coordinator", campaign):
            raise NotAllowed()
        role = lock(CampaignRole.objects.filter(campaign=campaign, user=user)).first()
        if role is None:
            return
        role.delete()
        record(
            "coordinator.removed",
            actor=actor,
            target=user,
            data={"campaign": campaign.public_id},
        )
        end_all_sessions(user, actor=actor)


# Founding hubs and hubs answering a campaign's call.


def create_founding_hub(
    campaign: Campaign,
    *,
    name: str,
    city: City,
    languages: list[str],
    lead_email: str,
    lead_language: str,
    actor: User,
) -> Hub:
    """A coordinator founds an active hub with no sponsor (the root of a tree of its own) that
    answers the campaign's call, and invites its first lead, who joins like any invited person:
    an account, a second factor, then the role."""
    with transaction.atomic():
        if not can(actor, "can_create_founding_hub", campaign):
            raise NotAllowed()
        if not _campaign_takes_people(campaign):
            raise CampaignClosed()
        hub = create_hub(
            name=name, city=city, languages=languages, status=Hub.Status.ACTIVE, actor=actor
        )
        record(
            "hub.founded", actor=actor, target=hub, hub=hub, data={"campaign": campaign.public_id}
        )
        now = timezone.now()
        Participation.objects.create(
            hub=hub,
            campaign=campaign,
            state=Participation.State.ACCEPTED,
            answered_at=now,
            answered_by=actor,
            accepted_at=now,
            accepted_by=actor,
        )
        record(
            "hub.answered_call",
            actor=actor,
            target=hub,
            hub=hub,
            data={"campaign": campaign.public_id, "state": Participation.State.ACCEPTED},
        )
        _create_invitation(
            hub,
            email=lead_email,
            role=Membership.Role.LEAD,
            language=lead_language,
            invited_by=actor,
        )
    return hub


def _accepted_at_once(hub: Hub, campaign: Campaign) -> bool:
    """Whether `hub`'s answer to `campaign`'s call needs no coordinator: where the campaign does
    not ask for one, and for a hub in a high-risk country, which its coordinators never see
    (docs/privacy.md, "High-risk countries"): it announces nothing, and a second person
    verifies each of its report-backs."""
    return campaign.hub_policy != Campaign.HubPolicy.APPROVAL or is_high_risk_city(hub.city)


def _answer(hub: Hub, campaign: Campaign, *, actor: User) -> Participation:
    now = timezone.now()
    accepted = _accepted_at_once(hub, campaign)
    state = Participation.State.ACCEPTED if accepted else Participation.State.PENDING
    try:
        # A savepoint: of two simultaneous answers, the second meets the unique constraint.
        with transaction.atomic():
            participation = Participation.objects.create(
                hub=hub,
                campaign=campaign,
                state=state,
                answered_at=now,
                answered_by=actor,
                accepted_at=now if accepted else None,
            )
    except IntegrityError:
        raise AlreadyAnswered() from None
    record(
        "hub.answered_call",
        actor=actor,
        target=hub,
        hub=hub,
        data={"campaign": campaign.public_id, "state": state},
    )
    return participation


def answer_call(hub: Hub, *, campaign: Campaign, actor: User) -> Participation:
    """`hub` answers the call of the open `campaign`: it takes part from now on, or, where the
    campaign's coordinators accept each hub, once one of them accepts."""
    with transaction.atomic():
        if not can(actor, "can_create_action", hub):
            raise NotAllowed()
        if not hub.is_active:
            raise HubNotActive()
        if not campaign.is_open():
            raise CallNotOpen()
        if Participation.objects.filter(hub=hub, campaign=campaign).exists():
            raise AlreadyAnswered()
        return _answer(hub, campaign, actor=actor)


def answer_call_before_planning(hub: Hub, campaign: Campaign | None, *, actor: User) -> None:
    """Planning an action in a campaign answers its call, unless it was answered already. Where
    the coordinators accept each hub, the hub plans there only once its answer is accepted."""
    if campaign is None:
        return
    found = Participation.objects.filter(hub=hub, campaign=campaign).first()
    if found is not None:
        if not found.is_accepted:
            raise AnswerNotAccepted()
        return
    if not _accepted_at_once(hub, campaign):
        raise CallNotAnswered()
    if not can(actor, "can_create_action", hub):
        raise NotAllowed()
    _answer(hub, campaign, actor=actor)


def accept_answer(participation: Participation, *, actor: User) -> Participation:
    """A coordinator accepts a hub's answer to the campaign's call: the hub takes part and may
    plan actions in the campaign."""
    with transaction.atomic():
        if not can(actor, "can_approve_hub", participation.campaign):
            raise NotAllowed()
        current = (
            lock(Participation.objects.filter(pk=participation.pk))
            .select_related("hub", "campaign")
            .first()
        )
        if current is None or current.is_accepted:
            raise NotWaiting()
        current.state = Participation.State.ACCEPTED
        current.accepted_at = timezone.now()
        current.accepted_by = actor
        current.save(update_fields=["state", "accepted_at", "accepted_by"])
        record(
            "hub.answer_accepted",
            actor=actor,
            target=current.hub,
            hub=current.hub,
            data={"campaign": current.campaign.public_id},
        )
    return current


# Closing one's own account (docs/privacy.md, "Organizer accounts and their sessions").

# Where a closed account's address was: unique like any address, and reaching no one (RFC 2606).
CLOSED_ADDRESS = "closed-{public_id}@closed.invalid"


def close_account(user: User, *, actor: User) -> dict[str, int]:
    """Its owner closes `user`: every role goes, every session ends, and everything the data map
    holds about the account is erased (`core.datamap.erase_owned`), along with its second
    factors and the address allauth keeps. The row stays, nameless and unable to sign in,
    because the audit log (append-only) points to it: the log then shows "a former organizer".
    The hubs' content (actions, report-backs, messages) stays with the hubs. The last lead of a
    hub where others still hold a role is refused, as `remove_member` refuses to remove them:
    a hub needs a lead. Returns how many rows of each kind went."""
    with transaction.atomic():
        if actor.pk != user.pk:
            raise NotAllowed()
        current = lock(User.objects.filter(pk=user.pk, is_active=True)).first()
        if current is None:
            return {}
        for hub in Hub.objects.filter(
            memberships__user=current, memberships__role=Membership.Role.LEAD
        ).order_by("pk"):
            others = Membership.objects.filter(hub=hub).exclude(user=current)
            if others.exists() and not others.filter(role=Membership.Role.LEAD).exists():
                raise LastLeadCloses(LastLeadCloses.default_message % {"hub": hub.name})
        counts = {
            "memberships": Membership.objects.filter(user=current).delete()[0],
            "campaign_roles": CampaignRole.objects.filter(user=current).delete()[0],
        }
        end_all_sessions(current, actor=actor)
        counts |= datamap.erase_owned("account", current.pk, now=timezone.now())
        # allauth's tables hold the address and the factors, beside ours and outside the map.
        counts["second_factors"] = Authenticator.objects.filter(user=current).delete()[0]
        EmailAddress.objects.filter(user=current).delete()
        current.email = CLOSED_ADDRESS.format(public_id=current.public_id)
        current.is_active = False
        current.is_operator = False
        current.is_staff = False
        current.set_unusable_password()
        current.save(update_fields=["email", "is_active", "is_operator", "is_staff", "password"])
        record("account.closed", actor=actor, target=current, data=counts)
    return counts
