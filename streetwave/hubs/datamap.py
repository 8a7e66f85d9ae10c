"""What hubs keep about people: applicants and invitees (the data map:
streetwave/core/datamap.py)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, Personal, register

from .models import Hub, HubApplication, Invitation

# Verified proposals nobody vouched for or approved are deleted after this long.
PROPOSAL_RETENTION = dt.timedelta(days=90)
# The retention job deletes at most this many proposals, and invitations, per run, so one run
# stays short.
RETENTION_BATCH = 500


def _stale_proposals(now: dt.datetime) -> QuerySet[Hub]:
    """Proposals whose link expired unconfirmed, and confirmed ones nobody took up within
    PROPOSAL_RETENTION: deleted with their applications."""
    unconfirmed = Q(application__verified_at__isnull=True, application__expires_at__lte=now)
    forgotten = Q(application__verified_at__lte=now - PROPOSAL_RETENTION)
    return (
        Hub.objects.filter(status=Hub.Status.PROPOSED, actions__isnull=True)
        .filter(unconfirmed | forgotten)
        .order_by("pk")[:RETENTION_BATCH]
    )


def _invitations_expired_unused(now: dt.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(used_at__isnull=True, expires_at__lte=now).order_by("pk")[
        :RETENTION_BATCH
    ]


_ONLY_TO_MAIL = _("nobody: encrypted, used only to mail")

register(
    ModelMap(
        Hub,
        not_personal={
            "name": _("public: a hub's name, once it is active"),
            "languages": _("which languages a hub speaks"),
            "path": _("the hub's place in the tree of hubs, by ids"),
        },
        lives=_(
            "a proposal is deleted when its link expired unconfirmed, or 90 days after "
            "confirmation when nobody took it up"
        ),
        expires=_stale_proposals,
        erase="delete",
    ),
    ModelMap(
        HubApplication,
        fields=[
            Personal("email", _("the applicant's address"), _ONLY_TO_MAIL),
            Personal(
                "motivation",
                _("why they want to start the hub"),
                _("organizers who may vouch, and coordinators"),
            ),
        ],
        lives=_("blanked when the hub is activated; deleted with a stale proposal"),
    ),
    ModelMap(
        Invitation,
        fields=[
            Personal(
                "email",
                _("the invitee's address"),
                _("the hub's lead (a campaign's: the operators) while it is open"),
            ),
        ],
        lives=_("blanked when accepted; deleted 7 days after it was sent when unused"),
        expires=_invitations_expired_unused,
        erase="delete",
    ),
)
