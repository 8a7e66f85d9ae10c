"""The one way a held row is decided: locked, checked, changed, audited, in one transaction."""

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from streetwave.audit.services import record
from streetwave.core.errors import NotAllowed
from streetwave.core.locking import lock

from .errors import AlreadyDecided, RequesterCannotApprove
from .models import Approval, HeldForApproval

H = TypeVar("H", bound=HeldForApproval)
Decision = Literal["approve", "withdraw"]


def decide_held(
    rows: QuerySet[H],
    *,
    decision: Decision,
    actor: AbstractBaseUser,
    may: Callable[[H], bool],
    verb: str,
    audit: Callable[[H], dict[str, Any]],
    then: Callable[[H], None] | None = None,
) -> H:
    """Approve or withdraw the one held row of `rows` as `actor`.

    The row is locked; a row no longer held is `AlreadyDecided` (a second decision is a
    conflict); the requester may withdraw but never approve (`RequesterCannotApprove`); `may`
    asks the permission policy whether `actor` may decide at all (`NotAllowed` otherwise).
    `then` does what the decision sets off (send, apply; the row already carries the decision,
    unsaved) before the row is saved and the audit row is written with `verb` and the keyword
    arguments `audit` returns (target, hub, data); if anything raises, nothing is kept."""
    with transaction.atomic():
        row = lock(rows).get()
        if row.approval != Approval.HELD:
            raise AlreadyDecided()
        if decision == "approve" and row.requested_by_id == actor.pk:
            raise RequesterCannotApprove()
        if not may(row):
            raise NotAllowed()
        now = timezone.now()
        if decision == "approve":
            row.approval = Approval.APPROVED
            # The stubs type the column as accounts.User, a layer above: any user is fine here.
            row.approved_by = actor  # type: ignore[assignment]
            row.approved_at = now
            fields = ["approval", "approved_by", "approved_at"]
        else:
            row.approval = Approval.WITHDRAWN
            row.withdrawn_by = actor  # type: ignore[assignment]
            row.withdrawn_at = now
            fields = ["approval", "withdrawn_by", "withdrawn_at"]
        if then is not None:
            # Before the save: what `then` saves of the row is saved with the decision.
            then(row)
        row.save(update_fields=[*fields, "updated_at"])
        record(verb, actor=actor, **audit(row))
    return row
