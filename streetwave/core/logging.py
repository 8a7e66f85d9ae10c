"""Log hygiene: secret links never reach a log line (privacy rule 9)."""

import logging
import re

# Paths whose last segment is a secret token: RSVP manage links, hub verification links,
# invitations, and the links that start or stop a campaign's news (deploy/nginx.conf redacts
# the same ones). Django's request logger writes the path of every 404 and 500.
SECRET_PATH = re.compile(
    r"/(rsvp|hubs/start/verify|accounts/invitation|news/unsubscribe|news/confirm)/[^/\s\"']+"
)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_PATH.sub(lambda match: f"/{match.group(1)}/-", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
