"""The honest ceiling of an RSVP: the transaction of Streetwave's `POST
/api/v1/actions/<id>/rsvps` (the same statements on the same tables, indexes and triggers:
the public action looked up, its seat claimed, the RSVP inserted with its encrypted contact,
blind index and token hash, the campaign's counter shard bumped, the audit row, the
confirmation's outbox message and delivery), in a bare WSGI function with psycopg and no
framework. gunicorn serves it as it serves Streetwave, against Streetwave's bench database.

What it leaves out is what the ceiling is for: Django's request handling, middleware, the ORM,
validation, the rate limit, the Idempotency-Key and the task queued after the commit.
"""

import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from base64 import b32encode
from collections.abc import Callable, Iterable

import psycopg
from cryptography.fernet import Fernet, MultiFernet

ROUTE = re.compile(r"^/api/v1/actions/([a-z2-7]{16})/rsvps$")
FERNET = MultiFernet([Fernet(key) for key in os.environ["FIELD_ENCRYPTION_KEYS"].split(",")])
BLIND_INDEX_KEY = os.environ["BLIND_INDEX_KEY"].encode()
CONSENT_VERSION = os.environ.get("CONSENT_VERSION", "2026-11")
SHARDS = 16

LOOKUP = """
SELECT a.id, a.public_id, h.public_id, a.campaign_id
FROM actions_action a
JOIN places_city ci ON ci.id = a.city_id
JOIN places_country co ON co.id = ci.country_id
LEFT JOIN campaigns_campaign c ON c.id = a.campaign_id
JOIN hubs_hub h ON h.id = a.hub_id
WHERE a.public_id = %s AND a.status = 'published' AND NOT a.after_the_fact
  AND NOT co.high_risk
  AND NOT EXISTS (SELECT 1 FROM campaigns_campaign_high_risk_countries r
                  WHERE r.country_id = ci.country_id AND r.campaign_id = a.campaign_id)
  AND (c.status IS NULL OR c.status <> 'draft') AND h.status <> 'suspended'
"""
CLAIM = """
UPDATE actions_action SET going_count = going_count + 1
WHERE id = %s AND (capacity IS NULL OR going_count < capacity)
"""
WAITLIST = "UPDATE actions_action SET waitlisted_count = waitlisted_count + 1 WHERE id = %s"
INSERT_RSVP = """
INSERT INTO actions_rsvp (public_id, created_at, updated_at, action_id, pseudonym, contact,
    contact_index, language, consent_version, status, manage_token_hash, campaign_news)
VALUES (%s, now(), now(), %s, '', %s, %s, %s, %s, %s, %s, false) RETURNING id
"""
# The counter shard of the action's campaign: "going" or "waitlisted" goes up by one.
BUMP = {
    "going": "UPDATE campaigns_campaigncounter SET going = going + 1 "
    "WHERE campaign_id = %s AND shard = %s",
    "waitlisted": "UPDATE campaigns_campaigncounter SET waitlisted = waitlisted + 1 "
    "WHERE campaign_id = %s AND shard = %s",
}
AUDIT = """
INSERT INTO audit_auditentry (actor_id, verb, target_type, target_id, hub_id, data, created_at)
VALUES (NULL, 'rsvp.created', 'actions.action', %s, %s, %s, now()) RETURNING id
"""
MESSAGE = """
INSERT INTO broadcasts_message (kind, key, data, created_at)
VALUES ('rsvp.confirmation', %s, '{}', now()) RETURNING id
"""
DELIVERY = """
INSERT INTO broadcasts_delivery (public_id, created_at, updated_at, message_id, recipient,
    channel, status, attempts, last_error, next_attempt_at, claim)
VALUES (%s, now(), now(), %s, %s, 'email', 'queued', 0, '', now(), '') RETURNING id
"""

_connection: psycopg.Connection | None = None


def database() -> psycopg.Connection:
    """One connection per worker process, kept, as Streetwave keeps its own."""
    global _connection  # one per process, like CONN_MAX_AGE
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"])
    return _connection


def public_id() -> str:
    return b32encode(secrets.token_bytes(10)).decode().lower()


def answer(start: Callable, status: str, body: dict) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def application(environ: dict, start: Callable) -> Iterable[bytes]:
    route = ROUTE.match(environ.get("PATH_INFO", ""))
    if environ["REQUEST_METHOD"] != "POST" or route is None:
        return answer(start, "404 Not Found", {"error": "not_found"})
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length))
        email, language = str(body.get("email", "")), str(body["language"])
        if body.get("consent") is not True or (email and "@" not in email):
            raise ValueError(email)
    except (ValueError, KeyError, TypeError):
        return answer(start, "400 Bad Request", {"error": "invalid"})
    # As Streetwave: the address encrypted and blind-indexed, the manage token kept as a hash;
    # without an address the token is the answer and no confirmation is queued.
    token = secrets.token_urlsafe(32)
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    contact = index = ""
    if email:
        normalized = unicodedata.normalize("NFKC", email).strip().casefold()
        index = hmac.new(BLIND_INDEX_KEY, normalized.encode(), hashlib.sha256).hexdigest()
        contact = FERNET.encrypt(email.encode()).decode()
    connection = database()
    with connection.transaction():
        found = connection.execute(LOOKUP, (route[1],)).fetchone()
        if found is None:
            return answer(start, "404 Not Found", {"error": "not_found"})
        action_id, action_public_id, hub_public_id, campaign_id = found
        claimed = connection.execute(CLAIM, (action_id,)).rowcount == 1
        status = "going" if claimed else "waitlisted"
        if not claimed:
            connection.execute(WAITLIST, (action_id,))
        (rsvp_id,) = connection.execute(
            INSERT_RSVP,
            (public_id(), action_id, contact, index, language, CONSENT_VERSION, status, token_hash),
        ).fetchone()
        if campaign_id is not None:
            connection.execute(BUMP[status], (campaign_id, action_id % SHARDS))
        connection.execute(AUDIT, (action_public_id, hub_public_id, json.dumps({"status": status})))
        if not email:
            return answer(start, "201 Created", {"status": status, "manage_token": token})
        (message_id,) = connection.execute(
            MESSAGE, (f"rsvp.confirmation:{secrets.token_urlsafe(24)}",)
        ).fetchone()
        connection.execute(DELIVERY, (public_id(), message_id, f"rsvp:{rsvp_id}"))
    return answer(start, "201 Created", {"status": "received", "emailed": True})
