"""The query side of the permission policy: `where` (the hubs, campaigns and actions a user may
act on) and `holders` (who may act on one object) answer exactly what `can` answers, object by
object, in one query each; and docs/permissions.md says what the table says."""

import re
from pathlib import Path
from typing import get_args

import pytest
from django.conf import settings

from streetwave.hubs.models import CampaignRole, Hub, Membership, Participation
from streetwave.hubs.permissions import (
    Operator,
    Permission,
    SponsorLead,
    can,
    holders,
    memberships_holding,
    permissions_for,
    permissions_of,
    where,
)

pytestmark = pytest.mark.django_db

PERMISSION_NAMES = get_args(Permission)
Role = Membership.Role


@pytest.fixture
def world(
    make_campaign, make_hub, make_city, make_action, make_member, make_coordinator, make_user
):
    """Two campaigns; hub A takes part in the first (and has an action outside any campaign),
    hub B in both, hub C in none, hub D (suspended by moderation) in the first, hub E answered
    the first's call with no action yet; hub C vouched for hub B and hub D for hub E (a sponsor
    suspended since); someone in every role, a coordinator of each campaign, and an organizer
    whose account is closed."""
    streets = make_campaign("streets")
    other = make_campaign("other")
    hub_a = make_hub("Berlin hub")
    hub_b = make_hub("Paris hub", city=make_city("Paris", lat=48.85, lon=2.35))
    hub_c = make_hub("Rome hub", city=make_city("Rome", lat=41.9, lon=12.5))
    hub_d = make_hub("Lyon hub", city=make_city("Lyon", lat=45.76, lon=4.84))
    hub_e = make_hub("Madrid hub", city=make_city("Madrid", lat=40.42, lon=-3.7))
    Participation.objects.create(hub=hub_e, campaign=streets)
    Hub.objects.filter(pk=hub_b.pk).update(sponsor=hub_c)
    Hub.objects.filter(pk=hub_e.pk).update(sponsor=hub_d)
    hub_b.refresh_from_db()
    hub_e.refresh_from_db()
    actions = [
        make_action(hub=hub_a, campaign=streets),
        make_action(hub=hub_a),
        make_action(hub=hub_b, campaign=streets),
        make_action(hub=hub_b, campaign=other),
        make_action(hub=hub_c),
        make_action(hub=hub_d, campaign=streets),
    ]
    users = {
        "member_a": make_member(hub_a, Role.MEMBER),
        "safety_lead_a": make_member(hub_a, Role.SAFETY_LEAD),
        "organizer_a": make_member(hub_a, Role.ORGANIZER),
        "lead_a": make_member(hub_a, Role.LEAD),
        "organizer_b": make_member(hub_b, Role.ORGANIZER),
        "lead_c": make_member(hub_c, Role.LEAD),
        "lead_d": make_member(hub_d, Role.LEAD),
        "coordinator": make_coordinator(streets),
        "coordinator_other": make_coordinator(other),
        "closed": make_member(hub_a, Role.ORGANIZER),
        "operator": make_user(is_operator=True),
    }
    users["safety_coordinator"] = make_user()
    CampaignRole.objects.create(
        user=users["safety_coordinator"],
        campaign=streets,
        role=CampaignRole.Role.SAFETY_COORDINATOR,
    )
    # A lead of hub C who also coordinates the first campaign: both roles count.
    make_coordinator(streets, user=users["lead_c"])
    users["closed"].is_active = False
    users["closed"].save(update_fields=["is_active"])
    hub_d.status = Hub.Status.SUSPENDED
    hub_d.save(update_fields=["status"])
    return {
        "users": users,
        "hubs": [hub_a, hub_b, hub_c, hub_d, hub_e],
        "campaigns": [streets, other],
        "actions": actions,
    }


def _objects(world):
    return [*world["hubs"], *world["campaigns"], *world["actions"]]


def _held(world):
    """(user name, object) -> the permissions `can` grants there, one roles lookup each."""
    return {
        (name, obj): permissions_for(user, obj)
        for name, user in world["users"].items()
        for obj in _objects(world)
    }


def test_where_lists_exactly_the_objects_can_allows(world):
    # given every role over every hub, campaign and action (with and without a campaign)
    held = _held(world)
    for name, user in world["users"].items():
        for permission in PERMISSION_NAMES:
            # when we ask where the user holds the permission
            found = where(user, permission)
            # then each list is what `can` answers object by object
            for kind, listed in [
                ("hubs", found.hubs()),
                ("campaigns", found.campaigns()),
                ("actions", found.actions()),
            ]:
                expected = {obj.pk for obj in world[kind] if permission in held[name, obj]}
                assert set(listed.values_list("pk", flat=True)) == expected, (
                    name,
                    permission,
                    kind,
                )


def test_a_membership_in_a_suspended_hub_grants_nothing(world):
    # given hub D, suspended by moderation, and its lead
    hub_d, lead_d = world["hubs"][3], world["users"]["lead_d"]
    # then the lead holds nothing over it or its action, while the campaign's coordinator still
    # oversees it (to reinstate it)
    assert permissions_for(lead_d, hub_d) == frozenset()
    assert permissions_for(lead_d, world["actions"][-1]) == frozenset()
    assert not where(lead_d, "can_view_hub_dashboard").hubs().exists()
    assert lead_d not in holders("can_flag_hub", hub_d)
    assert can(world["users"]["coordinator"], "can_moderate", hub_d)


def test_where_answers_nothing_for_visitors_and_closed_accounts(world):
    # given an anonymous visitor and an organizer whose account is closed
    from django.contrib.auth.models import AnonymousUser

    for user in [AnonymousUser(), world["users"]["closed"]]:
        # when we ask where they may edit actions, then it is nowhere
        found = where(user, "can_edit_action")
        assert not found.hubs().exists()
        assert not found.campaigns().exists()
        assert not found.actions().exists()


def test_holders_are_exactly_those_can_allows(world):
    # given every role over every hub, campaign and action
    held = _held(world)
    users = world["users"]
    for obj in _objects(world):
        for permission in PERMISSION_NAMES:
            # when we ask who holds the permission over the object
            found = set(holders(permission, obj).values_list("pk", flat=True))
            # then they are the active users `can` says yes to, and nobody else
            expected = {
                user.pk
                for name, user in users.items()
                if permission in held[name, obj] and user.is_active
            }
            assert found == expected, (obj, permission)
            for user in users.values():
                assert can(user, permission, obj) == (user.pk in found), (obj, permission)


def test_where_is_one_query_per_list_and_none_before(world, django_assert_num_queries):
    # given a coordinator who is also a hub lead (both kinds of role count)
    user = world["users"]["lead_c"]
    # when we ask where they may view counts, nothing is queried yet
    with django_assert_num_queries(0):
        found = where(user, "can_view_counts")
        lists = (found.hubs(), found.campaigns(), found.actions())
    # then each list is one query, however many roles and objects there are
    for listed in lists:
        with django_assert_num_queries(1):
            assert list(listed)
    # and a list used as a subquery adds no query of its own
    from streetwave.actions.models import Action

    with django_assert_num_queries(1):
        list(Action.objects.filter(pk__in=found.actions()).filter(hub__in=found.hubs()))


def test_holders_is_one_query_and_loads_no_related_row(world, django_assert_num_queries):
    # given an action fetched anew, its hub and campaign not loaded
    from streetwave.actions.models import Action

    action = Action.objects.get(pk=world["actions"][0].pk)
    # when we ask who may view its attendees and who may approve it
    with django_assert_num_queries(2):
        viewers = set(holders("can_view_attendees", action))
        approvers = set(holders("can_approve_action", action))
    # then the hub's people and the campaign's coordinators answer, in one query each
    users = world["users"]
    assert viewers == {users["safety_lead_a"], users["organizer_a"], users["lead_a"]}
    assert approvers == {users["coordinator"], users["lead_c"]}


def test_memberships_holding_counts_only_active_holders(world):
    # given hub A with a member, a safety lead, an organizer, a lead and a closed organizer
    hub_a = world["hubs"][0]
    # when we list the memberships that receive broadcasts to hubs
    rows = memberships_holding("can_acknowledge_broadcast").filter(hub=hub_a)
    # then only the lead's, the active organizer's and the safety lead's count
    users = world["users"]
    assert {row.user for row in rows} == {
        users["organizer_a"],
        users["lead_a"],
        users["safety_lead_a"],
    }


# docs/permissions.md, "The table": one column per role, in this order (its legend says so).
_DOC_COLUMNS = {
    "L": Role.LEAD,
    "O": Role.ORGANIZER,
    "S": Role.SAFETY_LEAD,
    "M": Role.MEMBER,
    "V": SponsorLead,
    "C": CampaignRole.Role.COORDINATOR,
    "P": Operator,
    "D": CampaignRole.Role.SAFETY_COORDINATOR,
}


def _documented_table() -> dict[str, frozenset[str]]:
    text = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text(encoding="utf-8")
    section = text.split("## The table", 1)[1].split("\n## ", 1)[0]
    header = re.search(r"^\| permission \|(.*)\| what it opens \|$", section, re.M)
    assert header, "docs/permissions.md: the table's header row is missing"
    letters = [cell.strip() for cell in header.group(1).split("|")]
    assert letters == list(_DOC_COLUMNS), "docs/permissions.md: the role columns changed"
    table: dict[str, frozenset[str]] = {}
    for row in re.finditer(r"^\| `(\w+)` \|(.*)$", section, re.M):
        cells = [cell.strip() for cell in row.group(2).split("|")][: len(letters)]
        assert row.group(1) not in table, f"{row.group(1)} is documented twice"
        table[row.group(1)] = frozenset(
            _DOC_COLUMNS[letter] for letter, cell in zip(letters, cells, strict=True) if cell
        )
    return table


def test_the_documented_table_is_the_table_in_code():
    # given the table of docs/permissions.md
    documented = _documented_table()
    # when we read the policy role by role
    in_code = {
        permission: frozenset(
            role for role in _DOC_COLUMNS.values() if permission in permissions_of(role)
        )
        for permission in PERMISSION_NAMES
    }
    # then every permission is documented with exactly the roles that hold it
    assert documented == in_code


def test_every_named_permission_is_held_by_some_role():
    # given the names of the permissions; when we gather what every role grants
    granted = set().union(*(permissions_of(role) for role in _DOC_COLUMNS.values()))
    # then no name is missing from the table (nor held by nobody)
    assert granted == set(PERMISSION_NAMES)


def test_a_coordinator_oversees_a_hub_that_answered_before_it_planned(world):
    # given hub E, which answered the first campaign's call and has no action yet
    hub_e, users = world["hubs"][4], world["users"]
    # then the first campaign's coordinators oversee it, the other campaign's do not
    assert can(users["coordinator"], "can_view_counts", hub_e)
    assert hub_e in where(users["coordinator"], "can_view_counts").hubs()
    assert users["coordinator"] in holders("can_view_counts", hub_e)
    assert not can(users["coordinator_other"], "can_view_counts", hub_e)


def test_a_lead_of_the_sponsoring_hub_may_verify_its_report_backs(world):
    # given hub B, vouched for by hub C, and hub E, vouched for by the suspended hub D
    hub_b, hub_e, users = world["hubs"][1], world["hubs"][4], world["users"]
    action_b = world["actions"][2]
    # then hub C's lead may verify hub B's report-backs, and only that of what B's people do
    assert can(users["lead_c"], "can_verify_report_back", action_b)
    assert users["lead_c"] in holders("can_verify_report_back", hub_b)
    assert action_b in where(users["lead_c"], "can_verify_report_back").actions()
    assert not can(users["lead_c"], "can_file_report_back", action_b)
    # and a suspended sponsor's lead may not
    assert not can(users["lead_d"], "can_verify_report_back", hub_e)
