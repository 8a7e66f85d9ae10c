"""How the outbox renders mails about report-backs.

- "reportbacks.waiting", when a report-back or a correction is filed: to whoever may verify it
  (the hub's other organizers, else the sponsoring hub's leads and the campaign's
  coordinators), each in their language, with the page to verify it. Nothing once it was
  decided, nor to anyone who may no longer verify it.
"""

from streetwave.approvals.models import Approval
from streetwave.core.mail import absolute_url, render_mail
from streetwave.hubs.permissions import holders
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import recipient_ids, renderer

from .models import ReportBack


@renderer("reportbacks.waiting")
def render_waiting(message, deliveries):
    report_back = (
        ReportBack.objects.select_related("action", "action__hub", "action__campaign")
        .filter(pk=message.data.get("report_back"), approval=Approval.HELD)
        .first()
    )
    if report_back is None:
        return {}
    action = report_back.action
    verifiers = (
        holders("can_verify_report_back", action).exclude(pk=report_back.requested_by_id).in_bulk()
    )
    envelopes = {}
    for pk, user_id in recipient_ids(deliveries, "user").items():
        user = verifiers.get(user_id)
        if user is None:
            continue
        mail = render_mail(
            "reportbacks/mail/waiting",
            {
                "action": action,
                "is_correction": report_back.corrects_id is not None,
                "verify_url": absolute_url(
                    "reportbacks:manage_verify", report_back.public_id, language=user.language
                ),
            },
            language=user.language,
        )
        envelopes[pk] = Envelope(to=user.email, mail=mail)
    return envelopes
