import datetime as dt
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models.options import Options
from django.utils import timezone

from streetwave.core import datamap
from streetwave.core.models import BaseModel

from .models import AuditEntry


class Target(Protocol):
    """What an entry names: any row with a public id (a BaseModel, or an account)."""

    public_id: str

    @property
    def _meta(self) -> "Options[Any]": ...


def record(
    verb: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    target: Target | None = None,
    hub: BaseModel | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `verb` is dotted (`rsvp.created`); `data` must hold no personal data:
    public ids and counts only, never contacts or pseudonyms."""
    return AuditEntry.objects.create(
        # The stubs type the column as accounts.User, a module above this one: any user is fine.
        actor=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.public_id if target is not None else "",
        hub_id=hub.public_id if hub is not None else "",
        data=data or {},
    )


def erase_expired_personal_data(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The one retention job: erase everything the data map says is past its time (RSVPs after
    their action, sessions, incidents, reporters' contacts, stale proposals and invitations,
    old messages...) and record how many rows of each model went, in one entry that holds
    counts only. Lives here, the lowest app that may write the log: core walks the map."""
    counts = datamap.expire(now or timezone.now())
    if counts:
        record("retention.erased", data={"counts": counts})
    return counts
