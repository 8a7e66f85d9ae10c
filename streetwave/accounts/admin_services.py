"""What the admin writes on its own account: the reason a staff member gives before they see
people's data (DESIGN.md, privacy rule 1: "Staff access to people needs a recorded reason").

The admin's pages (accounts.admin_privacy) call this; it is the only place the reason is
written, so that a script reaching the same data has to give one too.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils.translation import gettext

from streetwave.audit.models import AuditEntry
from streetwave.audit.services import record
from streetwave.core.errors import DomainError, NotAllowed
from streetwave.core.i18n import format_number

# Long enough that "x" or "check" is not a reason; short enough to write "support request of
# the hub in Leipzig".
REASON_MIN_LENGTH = 15
REASON_MAX_LENGTH = 500


class ReasonTooShort(DomainError):
    pass


def open_personal_data(
    model: type[models.Model],
    *,
    reason: str,
    actor: AbstractBaseUser | AnonymousUser,
) -> AuditEntry:
    """Record that `actor`, a staff member, opens the admin's pages of `model` (which show
    people's data) for `reason`. Refused to anyone who may not view those pages."""
    opts = model._meta
    if not _may_view(actor, opts.app_label, opts.model_name or ""):
        raise NotAllowed()
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ReasonTooShort(
            gettext(
                "Say in a few words why you need to see this data: at least %(count)s characters."
            )
            % {"count": format_number(REASON_MIN_LENGTH)},
            field="reason",
        )
    with transaction.atomic():
        return record(
            "admin.personal_data_opened",
            actor=actor,
            data={"model": opts.label_lower, "reason": reason[:REASON_MAX_LENGTH]},
        )


def _may_view(actor: Any, app_label: str, model_name: str) -> bool:
    if not (actor.is_authenticated and actor.is_active and actor.is_staff):
        return False
    return bool(
        actor.has_perm(f"{app_label}.view_{model_name}")
        or actor.has_perm(f"{app_label}.change_{model_name}")
    )
