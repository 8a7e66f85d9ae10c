"""The links, mailed to an RSVP's address, that start or stop the campaign's news there. The
pages that answer them are the broadcasts app's; the flag they set is the RSVP's."""

from django.core import signing

from streetwave.core.mail import absolute_url

from .models import RSVP

# Links that start or stop the campaign's news for an RSVP's address carry only the RSVP's
# random public id, signed, each kind with its own salt: one kind is never the other.
UNSUBSCRIBE_SALT = "streetwave.broadcasts.unsubscribe"
NEWS_CONFIRMATION_SALT = "streetwave.broadcasts.news-confirmation"


def rsvp_signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=salt, sep=".")


def unsubscribe_token(rsvp: RSVP) -> str:
    """A link key for stopping the campaign's news to this RSVP's address. It does not expire:
    a mail may be read months later, and the link does nothing but say "no more"."""
    return rsvp_signer(UNSUBSCRIBE_SALT).sign(rsvp.public_id)


def unsubscribe_url(rsvp: RSVP) -> str:
    return absolute_url("broadcasts:unsubscribe", unsubscribe_token(rsvp), language=rsvp.language)


def news_confirmation_token(rsvp: RSVP) -> str:
    """A link key, mailed only to the RSVP's address, that starts the campaign's news there:
    whoever asked for the news on the RSVP form has proven nothing about the address yet."""
    return rsvp_signer(NEWS_CONFIRMATION_SALT).sign(rsvp.public_id)


def news_confirmation_url(rsvp: RSVP) -> str:
    return absolute_url(
        "broadcasts:confirm_news", news_confirmation_token(rsvp), language=rsvp.language
    )
