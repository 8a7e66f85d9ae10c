"""How a rendered message leaves: one class per channel, found by the name a delivery carries.

Email is the first channel. Another (Matrix, Telegram, SMS) is a class with the same three
methods registered in CHANNELS, plus renderers that know the recipient's address on it; the
writers that queue messages do not change.
"""

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from streetwave.core.mail import Mail


class TemporaryFailure(Exception):
    """Worth another attempt later: the recipient's server is busy (a 4xx to the address)."""


class PermanentFailure(Exception):
    """Will never work for this delivery: the address is refused (a 5xx to the address), or the
    mail cannot be built (a line break in a header)."""


class ServerFailure(TemporaryFailure):
    """The server took nothing, whoever the recipient: it is unreachable, or it refuses our
    sender or our mail (a daily quota, an SPF or policy change). Not the delivery's fault: it
    waits without using up an attempt, and operators must hear of it."""


class ConnectionLost(ServerFailure):
    """The connection died or stalled: nothing more can be sent over it."""


@dataclass(frozen=True)
class Envelope:
    """One message for one recipient, rendered in their language."""

    to: str
    mail: Mail
    # (file name, content, MIME type)
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    # Set where the recipient may stop this kind of message with one click (RFC 8058).
    unsubscribe_url: str = ""


def _error_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes) if codes else None
    return None


def describe(exc: Exception) -> str:
    """What went wrong, without the server's text (it can quote the address)."""
    code = _error_code(exc)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


class EmailChannel:
    name = "email"

    @contextmanager
    def session(self) -> Iterator[BaseEmailBackend]:
        """One connection for a whole batch."""
        connection = get_connection()
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerFailure(describe(exc)) from exc
        try:
            yield connection
        finally:
            with suppress(OSError, smtplib.SMTPException):
                connection.close()

    def send(self, session: BaseEmailBackend, envelope: Envelope, *, message_id: str) -> None:
        headers = {
            # The same delivery always carries the same id, so a mail sent again after a crash
            # is recognizable as the same message by the recipient's mail program.
            "Message-ID": message_id,
            "Auto-Submitted": "auto-generated",
        }
        if envelope.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            envelope.mail.subject,
            envelope.mail.text,
            to=[envelope.to],
            headers=headers,
            connection=session,
        )
        message.attach_alternative(envelope.mail.html, "text/html")
        for name, content, mimetype in envelope.attachments:
            message.attach(name, content, mimetype)
        try:
            sent = message.send()
        except BadHeaderError as exc:
            raise PermanentFailure(describe(exc)) from exc
        # Only an answer about the address is about this delivery: one mail, one recipient.
        except smtplib.SMTPRecipientsRefused as exc:
            code = _error_code(exc) or 0
            failure = PermanentFailure if 500 <= code < 600 else TemporaryFailure
            raise failure(describe(exc)) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise ConnectionLost(describe(exc)) from exc
        # Our sender or the mail refused (SMTPSenderRefused, SMTPDataError), 5xx included: a
        # quota or a policy of our provider, which would refuse every other mail just the same.
        except smtplib.SMTPException as exc:
            raise ServerFailure(describe(exc)) from exc
        # A timeout or a reset (smtplib's errors are OSErrors too, hence last).
        except OSError as exc:
            raise ConnectionLost(describe(exc)) from exc
        if not sent:
            raise TemporaryFailure("not sent")

    def message_id(self, delivery_public_id: str) -> str:
        domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"<{delivery_public_id}@{domain}>"


CHANNELS = {"email": EmailChannel()}
