"""Streetwave settings: one file, driven by the environment.

With nothing set but STREETWAVE_DEV=1 (what `make run` and `make test` export), Streetwave runs
embedded: SQLite in WAL mode, a file cache, a file-system Celery broker and keys generated
once under var/. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and the field keys; without
them and without STREETWAVE_DEV it refuses to start.
"""

import datetime
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STREETWAVE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
DEV = env_bool("STREETWAVE_DEV")


def secret_from_env(name: str, make_value) -> str:
    """Read a secret from the environment; only an embedded dev instance may invent one.

    The invented value is kept under var/ so that restarts of `make run` can still decrypt
    what they stored before.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not (DEV or DEBUG):
        raise ImproperlyConfigured(
            f"{name} must be set in the environment (see .env.example). "
            "Only STREETWAVE_DEV=1 or DEBUG=1 may generate development keys."
        )
    path = VAR_DIR / "keys" / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make_value())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = secret_from_env("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key).
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in secret_from_env(
        "FIELD_ENCRYPTION_KEYS", lambda: Fernet.generate_key().decode()
    ).split(",")
    if key.strip()
]
BLIND_INDEX_KEY = secret_from_env("BLIND_INDEX_KEY", lambda: secrets.token_hex(32))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEV or DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The instance as a Tor onion service beside its clear-web name (docs/deploy.md, "Onion
# service"): the onion's host name, e.g. "abc...xyz.onion". A page asked for on one name links
# only to that name (core.hosts); the onion is served over plain HTTP (Tor encrypts and
# authenticates the whole way), so it gets no HSTS, no redirect to HTTPS and cookies without
# the Secure flag (core.middleware.OnionMiddleware, and SECURE_SSL_REDIRECT below).
ONION_HOST = os.environ.get("STREETWAVE_ONION_HOST", "").strip().lower().rstrip(".")
if ONION_HOST and not re.fullmatch(r"[a-z2-7]{56}\.onion", ONION_HOST):
    raise ImproperlyConfigured(
        "STREETWAVE_ONION_HOST must be an onion service's host name: 56 letters and digits "
        "(a-z, 2-7), then .onion (the hostname file of the service's HiddenServiceDir)."
    )
ONION_SITE_URL = f"http://{ONION_HOST}" if ONION_HOST else ""
# Not in CSRF_TRUSTED_ORIGINS: Django checks a form's Origin against the scheme and host it
# was sent to, http://<onion>, so the onion's forms pass as they are; trusting the onion there
# would let its pages post to the clear-web name.
if ONION_HOST:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, ONION_HOST]
# Whether clear-web pages may name the onion: an Onion-Location header, which Tor Browser
# offers to follow. Off by default: a clear-web page never names the onion unless the operator
# chose to make the two names known as one instance.
ONION_LOCATION = bool(ONION_HOST) and env_bool("STREETWAVE_ONION_LOCATION")

INSTALLED_APPS = [
    # Django's admin, whose site also demands a second factor (see accounts.admin_site).
    "streetwave.accounts.admin_config.SecondFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "streetwave.core",
    "streetwave.audit",
    "streetwave.outbox",
    "streetwave.accounts",
    # After streetwave.accounts, so that its templates override allauth's.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "streetwave.places",
    "streetwave.hubs",
    "streetwave.campaigns",
    "streetwave.actions",
    "streetwave.broadcasts",
    "streetwave.moderation",
    "streetwave.reportbacks",
    "streetwave.safety",
    "streetwave.demo",
]

MIDDLEWARE = [
    # Outermost, so that it sees every cookie set below: the onion's exceptions.
    "streetwave.core.middleware.OnionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "streetwave.core.middleware.ContentSecurityPolicyMiddleware",
    "streetwave.core.middleware.NoStoreMiddleware",
    # Marks an anonymous GET's reads as ones a read replica may answer (core.replica).
    "streetwave.core.replica.PublicReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and the map data are compressed (a campaign page of 90 KB travels as ~15 KB on a
    # slow link or through Tor); Django's GZip pads its output against BREACH. Below WhiteNoise,
    # which serves static files precompressed.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "streetwave.accounts.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "streetwave.urls"
WSGI_APPLICATION = "streetwave.wsgi.application"
ASGI_APPLICATION = "streetwave.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "streetwave" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "streetwave.core.context_processors.languages",
            ],
        },
    },
]
# Django's renderer, whose forms show the numbers of their errors in the reader's digits.
FORM_RENDERER = "streetwave.core.forms.FormRenderer"

# Database: SQLite (WAL) when DATABASE_URL is unset, anything dj-database-url knows otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()


def _database(url: str) -> dj_database_url.DBConfig:
    database = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, whose check of a kept connection reads its socket instead of
        # sending a query (core.postgresql).
        database["ENGINE"] = "streetwave.core.postgresql"
        # Values travel apart from the statement, and a statement a connection ran five times
        # is prepared once: PostgreSQL stops parsing and planning the RSVP's statements anew,
        # half its CPU per RSVP (docs/deploy.md, "Connections"; PgBouncer 1.21 or newer).
        database["OPTIONS"] = {
            **database.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
    return database


if DATABASE_URL:
    DATABASES = {"default": _database(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "streetwave.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so concurrent RSVPs queue instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# A streaming replica of the primary for the public reads (core.replica), when there is one;
# reads go back to the primary while it is more than REPLICA_MAX_LAG_SECONDS behind.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
if DATABASE_URL and DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **_database(DATABASE_REPLICA_URL),
        # Tests read what they wrote: the replica alias is the primary there.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["streetwave.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, rate limits and live counters: Redis when REDIS_URL is set, files under var/ otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "streetwave.core.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sw",
            # A Redis that does not answer within these is treated as down: the process uses
            # its own cache meanwhile (core.redis_cache) instead of holding the request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
else:
    # Every process of the embedded default sees the same copies: the tally and the map that
    # the worker rebuilds (core.cache) reach the web server. A cache in one process's memory
    # would leave the web server serving its first copy for a day.
    CACHES = {
        "default": {
            "BACKEND": "streetwave.core.file_cache.SharedFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis in production; a file-system broker under var/ in the embedded default, so
# `make run` starts a real worker and beat without any service installed.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    broker_dir = VAR_DIR / "celery" / "broker"
    broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker_dir),
        "data_folder_out": str(broker_dir),
        "processed_folder": str(broker_dir),
        "control_folder": str(broker_dir),
        "store_processed": False,
    }
# Workers consume all three: "bulk" holds the sends of campaign broadcasts, so that a reminder or
# an emergency notice in the default queue never waits behind thousands of them; "live" holds
# the rebuilds of the tally and map documents (core.cache), which must not wait behind either.
CELERY_TASK_QUEUES = [Queue("celery"), Queue("bulk"), Queue("live")]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # The one retention job: erases whatever the data map says is past its time
    # (streetwave/core/datamap.py).
    "erase-expired-personal-data": {
        "task": "streetwave.audit.tasks.erase_expired_personal_data",
        "schedule": 3600.0,
    },
    "queue-due-reminders": {
        "task": "streetwave.actions.tasks.queue_due_reminders",
        "schedule": float(os.environ.get("REMINDER_SCAN_SECONDS", "60")),
    },
    "send-scheduled-broadcasts": {
        "task": "streetwave.broadcasts.tasks.send_scheduled_broadcasts",
        "schedule": 60.0,
    },
    # Uploads nobody will process, and those a lost task left waiting: docs/decisions/0007.
    "sweep-photo-uploads": {
        "task": "streetwave.reportbacks.tasks.sweep_photo_uploads",
        "schedule": 600.0,
    },
    "sweep-incident-photo-uploads": {
        "task": "streetwave.safety.tasks.sweep_incident_photo_uploads",
        "schedule": 600.0,
    },
    # The outbox's tasks keep the names they had in the broadcasts app (declared with name= in
    # streetwave/outbox/), so that tasks already queued still run: docs/decisions/0001.
    "sweep-outbox": {
        "task": "streetwave.broadcasts.tasks.sweep_outbox",
        "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
}

# The outbox: deliveries are sent in batches of this many per task; one still "sending" after
# the lease belonged to a worker that died and is queued again; after this many attempts a
# delivery has failed for good, and so has one still unsent this many hours after it was
# queued (the mail server's own failures use up no attempt: they wait for it this long).
OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "50"))
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))
OUTBOX_MAX_AGE_HOURS = int(os.environ.get("OUTBOX_MAX_AGE_HOURS", "48"))
# Finished messages and their deliveries (who got what) are deleted after this many days.
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))

# Rate limits: requests per client address per minute. Through the onion service each Tor
# circuit counts as one address (deploy/torrc.example), and a visitor may use several.
RSVP_RATE_LIMIT = int(os.environ.get("RSVP_RATE_LIMIT", "30"))
HUB_PROPOSAL_RATE_LIMIT = int(os.environ.get("HUB_PROPOSAL_RATE_LIMIT", "3"))
# Reports of actions per minute from one network (moderation): enough for a shared connection,
# too few to flood the coordinators' queue.
REPORT_RATE_LIMIT = int(os.environ.get("REPORT_RATE_LIMIT", "5"))
# Incidents reported per minute from one network through the public form (safety).
INCIDENT_RATE_LIMIT = int(os.environ.get("INCIDENT_RATE_LIMIT", "5"))
# How many reverse proxies append to X-Forwarded-For in front of the web processes; 0 means
# the peer address is the client's. Addresses are only ever used keyed and hashed.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Personal fields of RSVPs are erased this many days after the action ends: the default for a
# new campaign, whose coordinators may choose another number within the bounds below.
RSVP_RETENTION_DAYS = int(os.environ.get("RSVP_RETENTION_DAYS", "30"))
RSVP_RETENTION_DAYS_MIN = int(os.environ.get("RSVP_RETENTION_DAYS_MIN", "7"))
RSVP_RETENTION_DAYS_MAX = int(os.environ.get("RSVP_RETENTION_DAYS_MAX", "90"))

# Organizers file a report-back of an action from its start until this long after its end.
REPORT_BACK_WINDOW = datetime.timedelta(days=int(os.environ.get("REPORT_BACK_WINDOW_DAYS", "14")))
# An action filed after the fact inside a high-risk country (docs/privacy.md, "High-risk
# countries") becomes public this long after a second person verified its report-back.
HIGH_RISK_PUBLICATION_DELAY = datetime.timedelta(
    hours=int(os.environ.get("HIGH_RISK_PUBLICATION_DELAY_HOURS", "24"))
)

# Incidents are reported from an action's start until this long after its end; what they say
# (text, contact, notes) is erased this many days after they were resolved or the action ended.
INCIDENT_REPORTING_WINDOW = datetime.timedelta(
    hours=int(os.environ.get("INCIDENT_REPORTING_HOURS", "24"))
)
INCIDENT_RETENTION_DAYS = int(os.environ.get("INCIDENT_RETENTION_DAYS", "90"))

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# argon2id first; the others only verify (and upgrade) hashes made before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "hubs:dashboard"
LOGOUT_REDIRECT_URL = "campaigns:home"

# Organizer sessions: 30 minutes without a request end them, and none lives past 12 hours
# (accounts.middleware.SessionLimitsMiddleware). The cookie dies with the browser.
ORGANIZER_IDLE_TIMEOUT = 30 * 60
ORGANIZER_SESSION_MAX_AGE = 12 * 60 * 60
# A member of a hub in a high-risk country: one hour in all (accounts.high_risk). Their phone
# may be taken at a checkpoint or in an arrest, unlocked under pressure; a session that is
# over by then hands nothing on, and signing in again is a small price for people whose
# membership alone endangers them.
HIGH_RISK_SESSION_AGE = 60 * 60
SESSION_COOKIE_AGE = ORGANIZER_SESSION_MAX_AGE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-allauth: email + password, invitation-only sign-up (accounts.adapter), mandatory
# email verification, and mails that carry codes, never links that sign someone in.
ACCOUNT_ADAPTER = "streetwave.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset request for an unknown address sends nothing: no mail to strangers, no oracle.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Not by a code sent by mail: whoever reads someone's mailbox must not pass for them.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# allauth's rate limits see the same hashed client as ours (accounts.adapter.get_client_ip).
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Streetwave] "
# Sliding windows, never a hard lockout. Failed sign-ins count per address and per account
# name, whether or not the account exists, so the answer is the same for both.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/10s/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Passkeys first (they resist phishing), TOTP apps second, recovery codes for a lost device.
# No SMS, and no "trust this browser": every sign-in asks for the second factor.
MFA_ADAPTER = "streetwave.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["webauthn", "totp", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TRUST_ENABLED = False
MFA_TOTP_ISSUER = "Streetwave"
MFA_RECOVERY_CODES_SHOW_ONCE = True
# Browsers allow WebAuthn on http://127.0.0.1; the server check must too, in development only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEV or DEBUG

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("fa", _("Persian")),
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "streetwave" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "streetwave" / "static"]
STORAGES: dict[str, dict] = {
    # Files written whole or not at all: a full disk leaves no half-written photo (core.storage).
    "default": {"BACKEND": "streetwave.core.storage.WholeFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Report-back photos (only processed copies) in S3-compatible object storage when a bucket is
# named (MinIO in deploy/compose.yaml); the file system under VAR_DIR otherwise. Either way
# they are served from this origin by reportbacks:photo_file, never by a link to the bucket.
if os.environ.get("PHOTOS_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["PHOTOS_S3_BUCKET"],
            "endpoint_url": os.environ.get("PHOTOS_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("PHOTOS_S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("PHOTOS_S3_SECRET_ACCESS_KEY", ""),
            "region_name": os.environ.get("PHOTOS_S3_REGION", "us-east-1"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": "path",
        },
    }
WHITENOISE_MAX_AGE = 365 * 24 * 3600
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# A photo upload (25 MB at most: core.images.MAX_BYTES) stays in memory until the
# service writes it to its private file: Django would otherwise spill it to the system's /tmp
# (docs/decisions/0007). The proxy lets bodies this large through only on the photos page.
FILE_UPLOAD_MAX_MEMORY_SIZE = 26 * 1024 * 1024
# A street-level basemap an operator supplies: a PMTiles extract, given as a path on this
# instance's own origin (e.g. /media/basemap/region.pmtiles, served by the reverse proxy with
# Range requests). Empty: the map draws outlines and city names only, and loads nothing more.
MAP_BASEMAP_PMTILES = os.environ.get("MAP_BASEMAP_PMTILES", "")
if MAP_BASEMAP_PMTILES and (
    not MAP_BASEMAP_PMTILES.startswith("/") or MAP_BASEMAP_PMTILES.startswith("//")
):
    raise ImproperlyConfigured(
        "MAP_BASEMAP_PMTILES must be a path on this site's own origin, starting with one /."
    )

# Mail: SMTP when EMAIL_HOST is set, files under var/mail/ otherwise.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Streetwave <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    # Well inside the outbox's lease: a stalled server fails the batch for a later attempt
    # instead of holding a worker until the sweeper sends the batch again.
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Security headers on every response; the CSP itself is set by core.middleware.
SECURE_CONTENT_TYPE_NOSNIFF = True
# No address of ours ever reaches another origin. Not "no-referrer": under it browsers send
# "Origin: null" with every form POST, which Django's CSRF check rightly refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("HTTPS", default=not (DEV or DEBUG))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Beside an onion, the redirect to HTTPS is the clear-web proxy's alone (deploy/nginx.conf sends
# every plain-HTTP request but /healthz to HTTPS): the app's would send the onion's readers
# to an https:// onion that does not answer, and Django's cannot tell the two names apart.
SECURE_SSL_REDIRECT = HTTPS and not ONION_HOST and env_bool("SECURE_SSL_REDIRECT", default=True)
SILENCED_SYSTEM_CHECKS = ["security.W008"] if HTTPS and ONION_HOST else []
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# /healthz is probed over plain HTTP by load balancers on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logs carry no contacts, pseudonyms or raw addresses: no request logging of client IPs here,
# and the proxy in deploy/ is configured to drop them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secret_paths": {"()": "streetwave.core.logging.RedactSecretPaths"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
