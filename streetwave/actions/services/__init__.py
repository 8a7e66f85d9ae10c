"""The only code that writes actions, RSVPs and what hangs off them.

One module per subject; the public names are re-exported here, so callers write
`from streetwave.actions import services` and `services.create_rsvp(...)`.
"""

from .actions import (
    ActionDetails,
    approve_action,
    cancel_action,
    create_action,
    publish_action,
    reject_action,
    update_action,
)
from .changes import confirm_action_change, withdraw_action_change
from .emergency import send_emergency_notice
from .exports import (
    approve_attendee_export,
    download_attendee_export,
    request_attendee_export,
)
from .news import confirm_campaign_news, withdraw_campaign_news
from .relay import approve_relay_message, send_relay_message
from .reminders import queue_due_reminders, schedule_messages
from .rsvps import (
    CONSENT_VERSION,
    ConsentMissing,
    RSVPClosed,
    RSVPReceipt,
    cancel_rsvp,
    create_rsvp,
    manage_url,
    promote_waitlisted,
    rejoin_rsvp,
    rotate_manage_token,
    update_rsvp,
)
from .supporters import (
    LINKS_PER_CLIENT,
    RSVPData,
    erase_rsvp,
    mail_rsvp_links,
    mint_manage_tokens,
    rsvp_data,
)

__all__ = [
    "CONSENT_VERSION",
    "LINKS_PER_CLIENT",
    "ActionDetails",
    "ConsentMissing",
    "RSVPClosed",
    "RSVPData",
    "RSVPReceipt",
    "approve_action",
    "approve_attendee_export",
    "approve_relay_message",
    "cancel_action",
    "cancel_rsvp",
    "confirm_action_change",
    "confirm_campaign_news",
    "create_action",
    "create_rsvp",
    "download_attendee_export",
    "erase_rsvp",
    "mail_rsvp_links",
    "manage_url",
    "mint_manage_tokens",
    "promote_waitlisted",
    "publish_action",
    "queue_due_reminders",
    "reject_action",
    "rejoin_rsvp",
    "request_attendee_export",
    "rotate_manage_token",
    "rsvp_data",
    "schedule_messages",
    "send_emergency_notice",
    "send_relay_message",
    "update_action",
    "update_rsvp",
    "withdraw_action_change",
    "withdraw_campaign_news",
]
