"""What moderation keeps about people: a reporter's contact, for a while (the data map:
streetwave/core/datamap.py)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from streetwave.core.datamap import ModelMap, Personal, register

from .models import HubFlag, Report, Takedown

# A reporter's contact is kept this long after the report was handled (so that the
# coordinators have had time to write back), or after REPORT_CONTACT_MAX_AGE in any case.
REPORT_CONTACT_AFTER_HANDLED = dt.timedelta(days=30)
REPORT_CONTACT_MAX_AGE = dt.timedelta(days=90)


def _contacts_past_their_time(now: dt.datetime) -> QuerySet[Report]:
    # A contact is kept only with wants_contact (report_action), and unlike the encrypted
    # column the flag can be filtered on.
    return Report.objects.filter(wants_contact=True).filter(
        Q(handled_at__lte=now - REPORT_CONTACT_AFTER_HANDLED)
        | Q(created_at__lte=now - REPORT_CONTACT_MAX_AGE)
    )


register(
    ModelMap(
        Report,
        fields=[
            Personal(
                "contact",
                _("how to reach the reporter"),
                _("the coordinators who moderate the action's campaign"),
            ),
            Personal(
                "text",
                _("what is wrong, in the reporter's words"),
                _("the coordinators who moderate the action's campaign"),
                erased=False,
                lives=_("kept with the report (the form asks to name no one)"),
            ),
        ],
        lives=_("30 days after the report was handled, or 90 days after it was made"),
        expires=_contacts_past_their_time,
        also=lambda now: {"wants_contact": False, "updated_at": now},
    ),
    ModelMap(
        HubFlag,
        not_personal={"reason": _("a hub lead's reason about another hub, to coordinators")},
    ),
    ModelMap(
        Takedown,
        not_personal={"note": _("a coordinator's note about an action or a hub")},
    ),
)
