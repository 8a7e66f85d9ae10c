"""Safety roles, the briefing of their holders and the campaign's know-your-rights cards: the
only code that writes them.

A supporter offers a role when they RSVP (actions.services.rsvps.create_rsvp, in the same
transaction) or from their manage link; an organizer of the hub confirms or declines the offer,
or takes a role themselves. Each holder is mailed the action's briefing once, as soon as they
hold a confirmed role and the briefing exists; later changes of the briefing are on their pages.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.accounts.models import User
from streetwave.actions.models import RSVP, Action
from streetwave.audit.services import record
from streetwave.campaigns.models import Campaign
from streetwave.core.errors import Conflict, DomainError, NotAllowed
from streetwave.core.locking import lock
from streetwave.hubs.permissions import Permission, can
from streetwave.outbox.services import queue_message, recipient
from streetwave.places.models import Country

from ..models import RightsCard, SafetyBriefing, SafetyRole

BRIEFING_MAIL = "safety.briefing"
# Long enough for the three things a card says; a card is read on a phone in the street.
RIGHTS_CARD_MAX_LENGTH = 4000
BRIEFING_MAX_LENGTH = 4000


class SafetyRolesClosed(DomainError):
    default_message = _("Safety roles can no longer change: the action has ended or is off.")


class UnknownRole(DomainError):
    default_message = _("Choose one of the safety roles offered.")


class AlreadyHeld(Conflict):
    default_message = _("You already hold this role at this action.")


class OfferUnavailable(DomainError):
    default_message = _("Only an RSVP that is going or waitlisted can offer a safety role.")


# Where an action may still have its safety roles changed.
_OPEN_STATUSES = (Action.Status.DRAFT, Action.Status.PENDING, Action.Status.PUBLISHED)


def _require(actor: User, permission: Permission, obj: object) -> None:
    """The rule of the page, asked again: a script or another caller cannot skip it."""
    if not can(actor, permission, obj):
        raise NotAllowed()


def _refuse_when_closed(action: Action) -> None:
    if action.status not in _OPEN_STATUSES or timezone.now() >= action.ends_at:
        raise SafetyRolesClosed()


def _kinds(kinds: Iterable[str]) -> list[SafetyRole.Kind]:
    try:
        return sorted({SafetyRole.Kind(kind) for kind in kinds})
    except ValueError as error:
        raise UnknownRole(field="kinds") from error


def _holder(role: SafetyRole) -> str:
    if role.rsvp_id is not None:
        return recipient("rsvp", role.rsvp_id)
    assert role.user_id is not None  # one holder, by constraint
    return recipient("user", role.user_id)


def _mail_briefing(action: Action, roles: Iterable[SafetyRole]) -> int:
    """Queue the briefing for the holders of the confirmed `roles` who have not had it: once per
    holder and action (the key), whatever roles they hold. Nothing while the briefing is empty.
    Supporters without an address cannot be mailed: their page shows it."""
    briefing = SafetyBriefing.objects.filter(action=action).first()
    if briefing is None or not any(briefing.texts.values()):
        return 0
    queued = 0
    for holder in dict.fromkeys(_holder(role) for role in roles if role.is_confirmed):
        message = queue_message(
            BRIEFING_MAIL,
            [holder],
            key=f"{BRIEFING_MAIL}:{action.pk}:{holder}",
            data={"action": action.pk},
        )
        queued += message is not None
    return queued


def offer_safety_roles(
    rsvp: RSVP, *, kinds: Iterable[str], actor: User | AnonymousUser | None = None
) -> list[SafetyRole]:
    """Set the roles a supporter offers from their manage link to `kinds`: new ones are offered,
    those left out are withdrawn (a confirmed one too: the holder steps down). Returns the roles
    they offer or hold afterwards."""
    wanted = _kinds(kinds)
    with transaction.atomic():
        current = (
            lock(RSVP.objects.filter(pk=rsvp.pk)).select_related("action", "action__hub").get()
        )
        if not current.is_live:
            raise OfferUnavailable()
        action = current.action
        _refuse_when_closed(action)
        held = {role.kind: role for role in SafetyRole.objects.filter(rsvp=current)}
        added = [kind for kind in wanted if kind not in held]
        dropped = [role for kind, role in held.items() if kind not in wanted]
        SafetyRole.objects.bulk_create(
            SafetyRole(action=action, rsvp=current, kind=kind) for kind in added
        )
        SafetyRole.objects.filter(pk__in=[role.pk for role in dropped]).delete()
        if added:
            record(
                "safety_role.offered",
                actor=actor,
                target=action,
                hub=action.hub,
                data={"kinds": [str(kind) for kind in added]},
            )
        if dropped:
            record(
                "safety_role.withdrawn",
                actor=actor,
                target=action,
                hub=action.hub,
                data={"kinds": sorted(role.kind for role in dropped)},
            )
    return list(SafetyRole.objects.filter(rsvp=current).order_by("kind"))


def take_safety_role(action: Action, *, kind: str, actor: User) -> SafetyRole:
    """An organizer of the hub holds `kind` at `action` themselves: confirmed at once."""
    _require(actor, "can_manage_safety_roles", action)
    (chosen,) = _kinds([kind])
    now = timezone.now()
    with transaction.atomic():
        _refuse_when_closed(action)
        try:
            with transaction.atomic():
                role = SafetyRole.objects.create(
                    action=action,
                    kind=chosen,
                    user=actor,
                    state=SafetyRole.State.CONFIRMED,
                    confirmed_by=actor,
                    confirmed_at=now,
                )
        except IntegrityError as error:
            raise AlreadyHeld(field="kind") from error
        record(
            "safety_role.taken",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"role": role.public_id, "kind": role.kind},
        )
        _mail_briefing(action, [role])
    return role


def _locked(role: SafetyRole) -> SafetyRole:
    current: SafetyRole = (
        lock(SafetyRole.objects.filter(pk=role.pk))
        .select_related("action", "action__hub", "rsvp")
        .get()
    )
    return current


def confirm_safety_role(role: SafetyRole, *, actor: User) -> SafetyRole:
    """An organizer of the hub confirms a supporter's offer: they hold the role, and get the
    briefing."""
    _require(actor, "can_manage_safety_roles", role.action)
    with transaction.atomic():
        current = _locked(role)
        action = current.action
        _refuse_when_closed(action)
        if current.is_confirmed:
            return current
        if current.rsvp is not None and not current.rsvp.is_live:
            raise OfferUnavailable()
        current.state = SafetyRole.State.CONFIRMED
        current.confirmed_by = actor
        current.confirmed_at = timezone.now()
        current.save(update_fields=["state", "confirmed_by", "confirmed_at", "updated_at"])
        record(
            "safety_role.confirmed",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"role": current.public_id, "kind": current.kind},
        )
        _mail_briefing(action, [current])
    return current


def decline_safety_role(role: SafetyRole, *, actor: User) -> None:
    """An organizer of the hub declines an offer, or takes a confirmed role from its holder
    (their own included: stepping down). The row goes; the audit keeps that it was."""
    _require(actor, "can_manage_safety_roles", role.action)
    with transaction.atomic():
        current = _locked(role)
        action = current.action
        _refuse_when_closed(action)
        record(
            "safety_role.declined",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"role": current.public_id, "kind": current.kind, "was": current.state},
        )
        current.delete()


def _clean_texts(texts: dict[str, str], languages: Iterable[str]) -> dict[str, str]:
    return {code: texts[code].strip() for code in languages if texts.get(code, "").strip()}


def _languages(campaign: Campaign | None) -> list[str]:
    known = {code for code, _name in settings.LANGUAGES}
    codes = [code for code in (campaign.languages if campaign else []) if code in known]
    return codes or [settings.LANGUAGE_CODE]


def briefing_languages(action: Action) -> list[str]:
    """The languages an action's briefing is written in: its campaign's, else the site's."""
    return _languages(action.campaign)


def card_languages(campaign: Campaign) -> list[str]:
    return _languages(campaign)


def write_safety_briefing(action: Action, *, texts: dict[str, str], actor: User) -> SafetyBriefing:
    """Save the briefing of `action`'s safety role holders (a text per language); the confirmed
    holders who have not had it yet are mailed it."""
    _require(actor, "can_manage_safety_roles", action)
    cleaned = _clean_texts(texts, briefing_languages(action))
    with transaction.atomic():
        _refuse_when_closed(action)
        lock(Action.objects.filter(pk=action.pk)).values_list("pk").get()
        briefing, _created = SafetyBriefing.objects.update_or_create(
            action=action, defaults={"texts": cleaned, "written_by": actor}
        )
        record(
            "safety_briefing.written",
            actor=actor,
            target=action,
            hub=action.hub,
            data={"languages": sorted(cleaned)},
        )
        _mail_briefing(action, SafetyRole.objects.confirmed().standing().filter(action=action))
    return briefing


def write_rights_card(
    campaign: Campaign, *, country: Country, texts: dict[str, str], actor: User
) -> RightsCard | None:
    """Save the campaign's know-your-rights card for `country` (a text per language of the
    campaign); with every text empty, the card is removed. Returns the card, or None."""
    _require(actor, "can_write_rights_cards", campaign)
    cleaned = _clean_texts(texts, card_languages(campaign))
    with transaction.atomic():
        lock(Campaign.objects.filter(pk=campaign.pk)).values_list("pk").get()
        if not cleaned:
            RightsCard.objects.filter(campaign=campaign, country=country).delete()
            record(
                "rights_card.removed", actor=actor, target=campaign, data={"country": country.code}
            )
            return None
        card, _created = RightsCard.objects.update_or_create(
            campaign=campaign, country=country, defaults={"texts": cleaned, "written_by": actor}
        )
        record(
            "rights_card.written",
            actor=actor,
            target=campaign,
            data={"country": country.code, "languages": sorted(cleaned)},
        )
    return card
