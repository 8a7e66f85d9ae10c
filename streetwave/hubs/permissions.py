"""The only authorization rules of Streetwave: which role may do what.

Every view and API endpoint asks `can(user, permission, obj)` (or `require`, which answers 404
when the answer is no, identical to a missing object). A role in a hub grants its permissions on
that hub and on the hub's actions; a role in a campaign grants its permissions on the campaign,
its hubs and its actions. Nothing else grants anything: staff status does not bypass this table.
"""

from dataclasses import dataclass
from typing import Literal

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import CampaignRole, Hub, Membership

Role = Membership.Role
Coordinator = CampaignRole.Role.COORDINATOR

# permission -> roles that hold it. Read it as a table: one line per permission.
PERMISSIONS: dict[str, frozenset[str]] = {
    # hubs
    "can_view_hub_dashboard": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD, Role.MEMBER}),
    "can_view_hub_audit": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    "can_invite_organizers": frozenset({Role.LEAD}),
    "can_manage_members": frozenset({Role.LEAD}),
    "can_vouch_hub": frozenset({Role.LEAD, Role.ORGANIZER}),
    # actions of the hub
    "can_create_action": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_edit_action": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_publish_action": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_cancel_action": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_confirm_late_change": frozenset({Role.LEAD, Role.ORGANIZER}),
    # ...and, when the hub has nobody else who holds can_confirm_late_change, a coordinator of
    # the action's campaign is the second person (see late_change_confirmers)
    "can_stand_in_as_second_organizer": frozenset({Coordinator}),
    # people of the hub's actions: pseudonyms and statuses only, never contacts
    "can_view_attendees": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    "can_message_attendees": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    # a relay message to more than 50 people waits for a second organizer, like a broadcast
    "can_approve_relay_message": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    "can_request_export": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_approve_export": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_send_emergency_notice": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    "can_report_incident": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD, Role.MEMBER}),
    # campaign
    "can_view_campaign_dashboard": frozenset({Coordinator}),
    "can_approve_hub": frozenset({Coordinator}),
    "can_approve_action": frozenset({Coordinator}),
    "can_view_hub_tree": frozenset({Coordinator}),
    "can_view_counts": frozenset({Coordinator, Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    "can_broadcast": frozenset({Coordinator}),
    # a broadcast to more than 50 people waits for a second coordinator (not its author)
    "can_approve_broadcast": frozenset({Coordinator}),
    "can_manage_link_allowlist": frozenset({Coordinator}),
    # broadcasts of the campaigns the hub takes part in: read them on the hub's page, confirm
    "can_acknowledge_broadcast": frozenset({Role.LEAD, Role.ORGANIZER}),
}


def _hub_of(obj) -> Hub | None:
    if isinstance(obj, Hub):
        return obj
    return getattr(obj, "hub", None)


def _campaign_of(obj):
    from streetwave.campaigns.models import Campaign

    if isinstance(obj, Campaign):
        return obj
    return getattr(obj, "campaign", None)


def roles_for(user, obj) -> set[str]:
    """Every role `user` holds over `obj` (a hub, a campaign, or anything with .hub/.campaign)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    roles: set[str] = set()
    hub = _hub_of(obj)
    if hub is not None:
        roles.update(Membership.objects.filter(user=user, hub=hub).values_list("role", flat=True))
    campaign = _campaign_of(obj)
    if campaign is not None:
        roles.update(
            CampaignRole.objects.filter(user=user, campaign=campaign).values_list("role", flat=True)
        )
    elif hub is not None:
        # A coordinator of any campaign the hub takes part in oversees the hub.
        roles.update(
            CampaignRole.objects.filter(user=user, campaign__actions__hub=hub)
            .values_list("role", flat=True)
            .distinct()
        )
    return roles


def can(user, permission: str, obj) -> bool:
    allowed = PERMISSIONS[permission]
    return bool(roles_for(user, obj) & allowed)


def permissions_for(user, obj) -> frozenset[str]:
    """Every permission `user` holds over `obj`, from one lookup of their roles: a page that
    shows or hides several things asks this once instead of calling `can` for each."""
    roles = roles_for(user, obj)
    return frozenset(name for name, allowed in PERMISSIONS.items() if roles & allowed)


def hubs_where(user, permission: str):
    """The hubs in which `user` holds `permission` through a membership, as a queryset."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Hub.objects.none()
    return Hub.objects.filter(memberships__user=user, memberships__role__in=PERMISSIONS[permission])


def require(user, permission: str, obj) -> None:
    """404, never 403: what a user may not touch looks exactly like what does not exist."""
    if not can(user, permission, obj):
        raise Http404


# The second person of a late change of time or place (privacy rule 6): another organizer of the
# hub who may confirm it; when the hub has none besides the requester, a coordinator of the
# action's campaign. A coordinator is not offered while the hub has its own second organizer:
# the hub knows its street and its people, and the campaign steps in only where nobody can.

SecondPersonKind = Literal["hub", "campaign", "nobody"]


@dataclass(frozen=True)
class SecondPerson:
    """Who may confirm a held change: `kind` says where they come from, `user_ids` who they are
    (never the requester), `campaign` the campaign whose coordinators stand in."""

    kind: SecondPersonKind
    user_ids: frozenset[int]
    campaign: object | None = None


def _not_the_requester(requester_id: int | None) -> Q:
    # A change whose requester's account is gone has nobody to leave out.
    return Q() if requester_id is None else Q(user_id=requester_id)


def _other_hub_confirmers(hub_id, requester_id: int | None) -> QuerySet:
    return (
        Membership.objects.filter(
            hub_id=hub_id,
            role__in=PERMISSIONS["can_confirm_late_change"],
            user__is_active=True,
        )
        .exclude(_not_the_requester(requester_id))
        .values_list("user_id", flat=True)
    )


def late_change_confirmers(action, *, requester_id: int | None) -> SecondPerson:
    """Who may confirm a late change of `action` asked for by the user `requester_id`."""
    in_hub = frozenset(_other_hub_confirmers(action.hub_id, requester_id))
    if in_hub:
        return SecondPerson("hub", in_hub)
    if action.campaign_id is not None:
        coordinators = frozenset(
            CampaignRole.objects.filter(
                campaign_id=action.campaign_id,
                role__in=PERMISSIONS["can_stand_in_as_second_organizer"],
                user__is_active=True,
            )
            .exclude(_not_the_requester(requester_id))
            .values_list("user_id", flat=True)
        )
        if coordinators:
            return SecondPerson("campaign", coordinators, action.campaign)
    return SecondPerson("nobody", frozenset())


def may_confirm_late_change(user, action, *, requester_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == requester_id:
        return False
    return user.pk in late_change_confirmers(action, requester_id=requester_id).user_ids


def may_handle_late_change(user, action, *, requester_id: int | None) -> bool:
    """See a held change and withdraw it: the hub's editors of the action, or its second person."""
    return can(user, "can_edit_action", action) or may_confirm_late_change(
        user, action, requester_id=requester_id
    )


def late_changes_to_confirm(user, changes: QuerySet) -> QuerySet:
    """Of `changes` (held changes of time or place), those `user` may confirm, in one query.
    Each carries `by_coordinator`: True where the user stands in for a missing second organizer
    of the hub (their page is then the campaign's, not the hub's)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return changes.none()
    confirmers = PERMISSIONS["can_confirm_late_change"]
    in_hub = Membership.objects.filter(hub=OuterRef("action__hub"), user=user, role__in=confirmers)
    other_in_hub = Membership.objects.filter(
        hub=OuterRef("action__hub"), role__in=confirmers, user__is_active=True
    ).exclude(
        # 0 is nobody's id: a change whose requester's account is gone leaves nobody out
        user_id=Coalesce(OuterRef("requested_by"), Value(0))
    )
    coordinator = CampaignRole.objects.filter(
        campaign=OuterRef("action__campaign"),
        user=user,
        role__in=PERMISSIONS["can_stand_in_as_second_organizer"],
    )
    return (
        changes.exclude(requested_by=user)
        .annotate(
            by_hub=Exists(in_hub),
            by_coordinator=ExpressionWrapper(
                Q(Exists(coordinator)) & ~Q(Exists(other_in_hub)), output_field=BooleanField()
            ),
        )
        .filter(Q(by_hub=True) | Q(by_coordinator=True))
    )
