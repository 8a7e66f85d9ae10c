"""How the outbox renders mails about incidents.

- "safety.incident_alert", when a high-severity incident is reported: to whoever holds
  `can_receive_incident_alerts` over its action (the hub's safety leads, the campaign's safety
  coordinators), each in their language: its kind, its severity, the action and the page of
  the incident. Never its text, its contact or its reporter: the mail may be read on a seized
  phone. Nothing to anyone who no longer holds the permission.
"""

from streetwave.core.mail import absolute_url, render_mail
from streetwave.hubs.permissions import holders
from streetwave.outbox.channels import Envelope
from streetwave.outbox.services import recipient_ids, renderer

from .models import Incident

# The safety briefing's renderer ("safety.briefing") registers itself on import.
from .role_mails import render_briefing  # noqa: F401


@renderer("safety.incident_alert")
def render_incident_alert(message, deliveries):
    incident = (
        Incident.objects.select_related("action", "action__hub")
        .filter(pk=message.data.get("incident"))
        .first()
    )
    if incident is None:
        return {}
    action = incident.action
    told = holders("can_receive_incident_alerts", action).in_bulk()
    envelopes = {}
    for pk, user_id in recipient_ids(deliveries, "user").items():
        user = told.get(user_id)
        if user is None:
            continue
        mail = render_mail(
            "safety/mail/incident_alert",
            {
                "action": action,
                # Lazy: in each recipient's language.
                "kind": Incident.Kind(incident.kind).label,
                "severity": Incident.Severity(incident.severity).label,
                "incident_url": absolute_url(
                    "safety:incident", incident.public_id, language=user.language
                ),
            },
            language=user.language,
        )
        envelopes[pk] = Envelope(to=user.email, mail=mail)
    return envelopes
