"""The only authorization rules of Streetwave: which role may do what.

Every view and API endpoint asks `can(user, permission, obj)` (or `require`, which answers 404
when the answer is no, identical to a missing object). A role in a hub grants its permissions on
that hub and on the hub's actions; a role in a campaign grants its permissions on the campaign,
its hubs and its actions; an operator (`User.is_operator`) holds the operator's permissions over
everything. Nothing else grants anything: staff status does not bypass this table.

Lists ask the same rules as queries: `where(user, permission)` for the hubs, campaigns and actions
a user may act on, `holders(permission, obj)` for the users who may act on one object. The table
itself is private to this module (see docs/permissions.md and docs/decisions/0002-*).
"""

from dataclasses import dataclass
from typing import Any, Literal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Manager,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from streetwave.accounts.models import User
from streetwave.campaigns.models import Campaign

from .models import CampaignRole, Hub, Membership, Participation

Role = Membership.Role
# Whoever asks: a signed-in account or an anonymous visitor (who holds nothing).
Asker = User | AnonymousUser
Coordinator = CampaignRole.Role.COORDINATOR
# Watches the campaign's safety desk on the day; nothing else of the campaign.
SafetyCoordinator = CampaignRole.Role.SAFETY_COORDINATOR
# The instance's own role: held by accounts with `is_operator`, over everything.
Operator = "operator"
# A lead of the hub that sponsored (vouched for) a hub, over that hub and its actions: derived
# from `Hub.sponsor` and the lead's membership, held by no row of its own.
SponsorLead = "sponsor_lead"

# Every permission by name: a misspelt name passed to `can`, `require`, `where` or `holders` fails
# the type check. A new permission is a name here and a line in the table below.
Permission = Literal[
    "can_view_hub_dashboard",
    "can_view_hub_audit",
    "can_invite_organizers",
    "can_manage_members",
    "can_vouch_hub",
    "can_create_action",
    "can_edit_action",
    "can_publish_action",
    "can_cancel_action",
    "can_confirm_late_change",
    "can_stand_in_as_second_organizer",
    "can_view_attendees",
    "can_message_attendees",
    "can_approve_relay_message",
    "can_request_export",
    "can_approve_export",
    "can_send_emergency_notice",
    "can_report_incident",
    "can_handle_incident",
    "can_receive_incident_alerts",
    "can_view_safety_desk",
    "can_manage_safety_roles",
    "can_write_rights_cards",
    "can_view_campaign_dashboard",
    "can_approve_hub",
    "can_approve_action",
    "can_view_hub_tree",
    "can_view_counts",
    "can_broadcast",
    "can_approve_broadcast",
    "can_manage_link_allowlist",
    "can_acknowledge_broadcast",
    "can_run_instance",
    "can_create_campaign",
    "can_appoint_coordinator",
    "can_edit_campaign",
    "can_change_campaign_state",
    "can_preview_campaign",
    "can_create_founding_hub",
    "can_moderate",
    "can_approve_moderation",
    "can_flag_hub",
    "can_file_report_back",
    "can_verify_report_back",
]

# permission -> roles that hold it. Read it as a table: one line per permission. Private: "who
# may" and "where may" are asked of the functions below, never of the table (ruff bans importing
# it elsewhere, see pyproject.toml).
_PERMISSIONS: dict[Permission, frozenset[str]] = {
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
    # ...and, when the hub has nobody else who holds the permission to approve a late change, a
    # relay message or an export, a coordinator of the action's campaign is the second person
    # (see second_person)
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
    # incidents at the action: read them (text, notes, a contact the reporter asked to be reached
    # at), acknowledge, resolve, add a note; high severity is mailed at once to the alert holders
    "can_handle_incident": frozenset(
        {Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD, Coordinator, SafetyCoordinator}
    ),
    "can_receive_incident_alerts": frozenset({Role.SAFETY_LEAD, SafetyCoordinator}),
    # after the action: a report-back, verified by a second person (never its filer, see
    # approvals.services.decide_held) of the hub, of the hub that vouched for it, or of the
    # campaign
    "can_file_report_back": frozenset({Role.LEAD, Role.ORGANIZER}),
    "can_verify_report_back": frozenset({Role.LEAD, Role.ORGANIZER, SponsorLead, Coordinator}),
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
    "can_acknowledge_broadcast": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    # a lead tells the coordinators that another hub looks fake (vouching's counterpart)
    "can_flag_hub": frozenset({Role.LEAD}),
    # the campaign's console
    "can_edit_campaign": frozenset({Coordinator, Operator}),
    "can_change_campaign_state": frozenset({Coordinator, Operator}),
    # a draft campaign's public pages, before anyone else sees them
    "can_preview_campaign": frozenset({Coordinator, Operator}),
    "can_create_founding_hub": frozenset({Coordinator}),
    # reports of actions, taking an action down, suspending a hub; a step that would tell many
    # people waits for a second coordinator
    "can_moderate": frozenset({Coordinator}),
    "can_approve_moderation": frozenset({Coordinator}),
    # the campaign's safety desk on the day: incidents, actions missing safety roles, notices
    "can_view_safety_desk": frozenset({Coordinator, SafetyCoordinator}),
    # safety roles at the hub's actions (offers by supporters seen by pseudonym only, never
    # contact) and the briefing their holders get
    "can_manage_safety_roles": frozenset({Role.LEAD, Role.ORGANIZER, Role.SAFETY_LEAD}),
    # know-your-rights cards of the campaign, one per country, shown with its actions there
    "can_write_rights_cards": frozenset({Coordinator}),
    # the instance
    "can_run_instance": frozenset({Operator}),
    "can_create_campaign": frozenset({Operator}),
    "can_appoint_coordinator": frozenset({Operator}),
}


def _hub_of(obj: object) -> Hub | None:
    if isinstance(obj, Hub):
        return obj
    return getattr(obj, "hub", None)


def _campaign_of(obj: object) -> Campaign | None:
    if isinstance(obj, Campaign):
        return obj
    return getattr(obj, "campaign", None)


def roles_for(user: Asker, obj: object) -> set[str]:
    """Every role `user` holds over `obj` (a hub, a campaign, or anything with .hub/.campaign)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    roles: set[str] = {Operator} if user.is_operator else set()
    hub = _hub_of(obj)
    if hub is not None:
        # A membership in a suspended hub grants nothing (moderation): its people keep their
        # rows, for when the hub is reinstated, but none of its pages.
        roles.update(
            _granting(Membership.objects.filter(user=user, hub=hub)).values_list("role", flat=True)
        )
        if (
            hub.sponsor_id is not None
            and _granting(
                Membership.objects.filter(user=user, hub_id=hub.sponsor_id, role=Role.LEAD)
            ).exists()
        ):
            roles.add(SponsorLead)
    campaign = _campaign_of(obj)
    if campaign is not None:
        roles.update(
            CampaignRole.objects.filter(user=user, campaign=campaign).values_list("role", flat=True)
        )
    elif hub is not None:
        # A coordinator of any campaign whose call the hub answered oversees the hub.
        roles.update(
            CampaignRole.objects.filter(user=user, campaign__participations__hub=hub)
            .values_list("role", flat=True)
            .distinct()
        )
    return roles


def can(user: Asker, permission: Permission, obj: object) -> bool:
    allowed = _PERMISSIONS[permission]
    return bool(roles_for(user, obj) & allowed)


def permissions_for(user: Asker, obj: object) -> frozenset[Permission]:
    """Every permission `user` holds over `obj`, from one lookup of their roles: a page that
    shows or hides several things asks this once instead of calling `can` for each."""
    roles = roles_for(user, obj)
    return frozenset(name for name, allowed in _PERMISSIONS.items() if roles & allowed)


def permissions_of(role: str) -> frozenset[Permission]:
    """Every permission a role grants wherever it applies (a hub role: its hub and the hub's
    actions; a campaign role: the campaign, its hubs and its actions). For a row already in
    hand, such as one of the user's memberships, and for the documentation."""
    return frozenset(name for name, allowed in _PERMISSIONS.items() if role in allowed)


# The query side: where a user holds a permission, and who holds it over an object, as querysets
# that agree with `can` row for row (tests/test_permission_policy.py checks it role by role).
# Each is one query when evaluated and can be used as a subquery (`action__in=...`).


def _granting(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """The memberships that grant their role: none in a suspended hub (as `roles_for`)."""
    return memberships.exclude(hub__status=Hub.Status.SUSPENDED)


def _is_active_user(user: Asker) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _held_by_operators(permission: Permission) -> bool:
    return Operator in _PERMISSIONS[permission]


def _split(permission: Permission) -> tuple[frozenset[str], frozenset[str]]:
    """The hub roles and the campaign roles that hold `permission`."""
    allowed = _PERMISSIONS[permission]
    return (
        frozenset(allowed & set(Membership.Role.values)),
        frozenset(allowed & set(CampaignRole.Role.values)),
    )


def _held_by_sponsor_leads(permission: Permission) -> bool:
    return SponsorLead in _PERMISSIONS[permission]


def _model(label: str) -> Any:
    # Campaigns and actions sit above hubs: named, not imported, so the policy stays below them.
    return apps.get_model(label)


def _objects(label: str) -> Manager[Any]:
    manager: Manager[Any] = _model(label).objects
    return manager


@dataclass(frozen=True)
class Where:
    """The hubs, campaigns and actions over which `user` holds `permission` (see `where`)."""

    user: Any
    permission: Permission

    def _hub_ids(self, hub_roles: frozenset[str]) -> QuerySet[Any]:
        return _granting(Membership.objects.filter(user=self.user, role__in=hub_roles)).values(
            "hub_id"
        )

    def _campaign_ids(self, campaign_roles: frozenset[str]) -> QuerySet[Any]:
        return CampaignRole.objects.filter(user=self.user, role__in=campaign_roles).values(
            "campaign_id"
        )

    def _sponsored_hub_ids(self) -> QuerySet[Any]:
        # The hubs whose sponsor the user leads (a suspended sponsor's lead leads nothing).
        return Hub.objects.filter(sponsor_id__in=self._hub_ids(frozenset({Role.LEAD}))).values("pk")

    def _hubs_of_campaigns(self, campaign_roles: frozenset[str]) -> QuerySet[Any]:
        # A coordinator of a campaign oversees every hub that answered its call.
        return Participation.objects.filter(
            campaign_id__in=self._campaign_ids(campaign_roles)
        ).values("hub_id")

    def _everywhere(self) -> bool:
        return bool(self.user.is_operator) and _held_by_operators(self.permission)

    def hubs(self) -> QuerySet[Hub]:
        if not _is_active_user(self.user):
            return Hub.objects.none()
        if self._everywhere():
            return Hub.objects.all()
        hub_roles, campaign_roles = _split(self.permission)
        where = Q(pk__in=[])
        if hub_roles:
            where |= Q(pk__in=self._hub_ids(hub_roles))
        if _held_by_sponsor_leads(self.permission):
            where |= Q(pk__in=self._sponsored_hub_ids())
        if campaign_roles:
            where |= Q(pk__in=self._hubs_of_campaigns(campaign_roles))
        return Hub.objects.filter(where)

    def campaigns(self) -> QuerySet[Any]:
        """Campaigns: only a campaign role reaches a campaign (hub roles do not)."""
        campaigns = _objects("campaigns.Campaign")
        _, campaign_roles = _split(self.permission)
        if not _is_active_user(self.user):
            return campaigns.none()
        if self._everywhere():
            return campaigns.all()
        if not campaign_roles:
            return campaigns.none()
        return campaigns.filter(pk__in=self._campaign_ids(campaign_roles))

    def actions(self) -> QuerySet[Any]:
        """Actions: through a role in the action's hub or in its campaign; an action outside any
        campaign, through a role in any campaign its hub takes part in (as `can` answers)."""
        actions = _objects("actions.Action")
        if not _is_active_user(self.user):
            return actions.none()
        if self._everywhere():
            return actions.all()
        hub_roles, campaign_roles = _split(self.permission)
        where = Q(pk__in=[])
        if hub_roles:
            where |= Q(hub_id__in=self._hub_ids(hub_roles))
        if _held_by_sponsor_leads(self.permission):
            where |= Q(hub_id__in=self._sponsored_hub_ids())
        if campaign_roles:
            where |= Q(campaign_id__in=self._campaign_ids(campaign_roles))
            where |= Q(campaign__isnull=True, hub_id__in=self._hubs_of_campaigns(campaign_roles))
        return actions.filter(where)


def where(user: Asker, permission: Permission) -> Where:
    """Where `user` holds `permission`: `.hubs()`, `.campaigns()` and `.actions()` are the
    querysets of the objects `obj` for which `can(user, permission, obj)` is true; for lists,
    dashboards and pending items. Nothing is queried until one of them is evaluated."""
    return Where(user, permission)


def _id_of(obj: object, model: type[Any], field: str) -> int | None:
    found: int | None
    if isinstance(obj, model):
        found = obj.pk
    elif hasattr(obj, f"{field}_id"):
        found = getattr(obj, f"{field}_id")
    else:
        related = getattr(obj, field, None)
        found = None if related is None else related.pk
    return found


def holders(permission: Permission, obj: object) -> QuerySet[Any]:
    """The active users who hold `permission` over `obj` (a hub, a campaign, or anything with a
    hub or a campaign, such as an action): those for whom `can(user, permission, obj)` is true.
    One query when evaluated; it reads the ids of `obj`, never its related rows."""
    user_model = get_user_model()
    hub_id = _id_of(obj, Hub, "hub")
    campaign_id = _id_of(obj, _model("campaigns.Campaign"), "campaign")
    hub_roles, campaign_roles = _split(permission)
    who = Q(is_operator=True) if _held_by_operators(permission) else Q(pk__in=[])
    if hub_id is not None and hub_roles:
        who |= Q(
            pk__in=_granting(Membership.objects.filter(hub_id=hub_id, role__in=hub_roles)).values(
                "user_id"
            )
        )
    if hub_id is not None and _held_by_sponsor_leads(permission):
        # The leads of the hub that sponsored it, found from its id alone.
        who |= Q(
            pk__in=_granting(
                Membership.objects.filter(hub__sponsored__id=hub_id, role=Role.LEAD)
            ).values("user_id")
        )
    if campaign_roles and campaign_id is not None:
        who |= Q(
            pk__in=CampaignRole.objects.filter(
                campaign_id=campaign_id, role__in=campaign_roles
            ).values("user_id")
        )
    elif campaign_roles and hub_id is not None:
        # A coordinator of any campaign whose call the hub answered oversees the hub.
        who |= Q(
            pk__in=CampaignRole.objects.filter(
                campaign__participations__hub_id=hub_id, role__in=campaign_roles
            ).values("user_id")
        )
    return user_model.objects.filter(who, is_active=True)


def memberships_holding(permission: Permission) -> QuerySet[Membership]:
    """The memberships of active users whose role grants `permission` in their hub: the hub side
    of `holders`, row by row, for what counts the holders per hub or per role (filter it by hub).
    """
    hub_roles, _ = _split(permission)
    return _granting(Membership.objects.filter(role__in=hub_roles, user__is_active=True))


def require(user: Asker, permission: Permission, obj: object) -> None:
    """404, never 403: what a user may not touch looks exactly like what does not exist."""
    if not can(user, permission, obj):
        raise Http404


# The second person of anything an organizer of a hub asks for that needs two people (privacy
# rule 6): a late change of time or place, a relay message to many, an attendee export. Another
# holder of the approving permission in the hub; when the hub has none besides the requester, a
# coordinator of the action's campaign. A coordinator is not offered while the hub has its own
# second person: the hub knows its street and its people, and the campaign steps in only where
# nobody can. (Broadcasts and action approval are the campaign's own: a second coordinator.)

SecondPersonKind = Literal["hub", "campaign", "nobody"]
SecondPersonPermission = Literal[
    "can_confirm_late_change", "can_approve_relay_message", "can_approve_export"
]


@dataclass(frozen=True)
class SecondPerson:
    """Who may approve a held row: `kind` says where they come from, `user_ids` who they are
    (never the requester), `campaign` the campaign whose coordinators stand in."""

    kind: SecondPersonKind
    user_ids: frozenset[int]
    campaign: object | None = None


def _holders_but(permission: Permission, action: Any, requester_id: int | None) -> frozenset[int]:
    """The ids of the holders of `permission` over `action`, the requester left out (a row
    whose requester's account is gone has nobody to leave out)."""
    who = holders(permission, action)
    if requester_id is not None:
        who = who.exclude(pk=requester_id)
    return frozenset(who.values_list("pk", flat=True))


def second_person(
    permission: SecondPersonPermission, action: Any, *, requester_id: int | None
) -> SecondPerson:
    """Who may approve what the user `requester_id` asked for about `action`, `permission`
    being the hub's own permission to approve it."""
    in_hub = _holders_but(permission, action, requester_id)
    if in_hub:
        return SecondPerson("hub", in_hub)
    if action.campaign_id is not None:
        coordinators = _holders_but("can_stand_in_as_second_organizer", action, requester_id)
        if coordinators:
            return SecondPerson("campaign", coordinators, action.campaign)
    return SecondPerson("nobody", frozenset())


def may_approve_as_second_person(
    user: Asker, permission: SecondPersonPermission, action: Any, *, requester_id: int | None
) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == requester_id:
        return False
    return user.pk in second_person(permission, action, requester_id=requester_id).user_ids


def late_change_confirmers(action: Any, *, requester_id: int | None) -> SecondPerson:
    """Who may confirm a late change of `action` asked for by the user `requester_id`."""
    return second_person("can_confirm_late_change", action, requester_id=requester_id)


def may_confirm_late_change(user: Asker, action: Any, *, requester_id: int | None) -> bool:
    return may_approve_as_second_person(
        user, "can_confirm_late_change", action, requester_id=requester_id
    )


def may_handle_late_change(user: Asker, action: Any, *, requester_id: int | None) -> bool:
    """See a held change and withdraw it: the hub's editors of the action, or its second person."""
    return can(user, "can_edit_action", action) or may_confirm_late_change(
        user, action, requester_id=requester_id
    )


def held_to_approve(
    user: Asker, permission: SecondPersonPermission, rows: QuerySet[Any]
) -> QuerySet[Any]:
    """Of `rows` (held rows about an action: changes, relay messages, exports), those `user`
    may approve as their second person, in one query. Each carries `by_coordinator`: True where
    the user stands in for a missing second person of the hub (their page is then the
    campaign's, not the hub's)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return rows.none()
    approvers = _PERMISSIONS[permission]
    in_hub = _granting(
        Membership.objects.filter(hub=OuterRef("action__hub"), user=user, role__in=approvers)
    )
    other_in_hub = Membership.objects.filter(
        hub=OuterRef("action__hub"), role__in=approvers, user__is_active=True
    ).exclude(
        # 0 is nobody's id: a row whose requester's account is gone leaves nobody out
        user_id=Coalesce(OuterRef("requested_by"), Value(0))
    )
    coordinator = CampaignRole.objects.filter(
        campaign=OuterRef("action__campaign"),
        user=user,
        role__in=_PERMISSIONS["can_stand_in_as_second_organizer"],
    )
    approvable: QuerySet[Any] = (
        rows.exclude(requested_by=user)
        .annotate(
            by_hub=Exists(in_hub),
            by_coordinator=ExpressionWrapper(
                Q(Exists(coordinator)) & ~Q(Exists(other_in_hub)), output_field=BooleanField()
            ),
        )
        .filter(Q(by_hub=True) | Q(by_coordinator=True))
    )
    return approvable


def late_changes_to_confirm(user: Asker, changes: QuerySet[Any]) -> QuerySet[Any]:
    """Of `changes` (held changes of time or place), those `user` may confirm (see
    `held_to_approve`)."""
    return held_to_approve(user, "can_confirm_late_change", changes)
