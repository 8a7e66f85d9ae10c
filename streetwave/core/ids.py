"""Random public identifiers and secret tokens. Nothing sequential ever reaches a URL."""

import base64
import hashlib
import secrets


def new_public_id() -> str:
    """80 random bits as 16 lowercase base32 characters, safe in URLs and easy to read aloud."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


def new_token() -> str:
    """A 256-bit secret for links that grant something (manage an RSVP, accept an invitation)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What we store instead of a token: a leaked table does not hand out working links."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
