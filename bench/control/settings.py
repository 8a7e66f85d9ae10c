"""Settings of the control site: only what Django needs to answer, nothing Streetwave adds
(no middleware, no templates, no cache), so that it measures the framework and the machine."""

import os
import secrets

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bench.control"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.control.urls"
WSGI_APPLICATION = "bench.control.wsgi.application"
# The same connection policy as Streetwave's production settings.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["CONTROL_DATABASE_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
