"""The second person's approval of what an organizer holds about an action: a late change, a
message to its attendees, an export of its attendee list."""

from collections.abc import Callable
from typing import Any, TypeVar

from streetwave.accounts.models import User
from streetwave.approvals.services import decide_held
from streetwave.hubs.permissions import SecondPersonPermission, may_approve_as_second_person

from ..models import ActionChange, AttendeeExport, RelayMessage

Held = TypeVar("Held", ActionChange, RelayMessage, AttendeeExport)


def approve_held(
    row: Held,
    permission: SecondPersonPermission,
    *,
    actor: User,
    verb: str,
    data: Callable[[Held], dict[str, Any]],
    then: Callable[[Held], None] | None = None,
) -> Held:
    """`decide_held` for a row about an action: locked with its action, hub and campaign;
    approved by `actor` only if the policy names them a second person for `permission`; the
    audit row is about the action and its hub and carries `data`."""
    return decide_held(
        type(row)
        .objects.filter(pk=row.pk)
        .select_related("action", "action__hub", "action__campaign"),
        decision="approve",
        actor=actor,
        may=lambda current: may_approve_as_second_person(
            actor, permission, current.action, requester_id=current.requested_by_id
        ),
        verb=verb,
        then=then,
        audit=lambda current: {
            "target": current.action,
            "hub": current.action.hub,
            "data": data(current),
        },
    )
