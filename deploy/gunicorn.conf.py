"""gunicorn settings for Streetwave's web processes (and, in bench/, for the control site, so that
both are served the same way).

    gunicorn -c deploy/gunicorn.conf.py streetwave.wsgi

Sync workers: every request is short (the RSVP path is one transaction, the tally and the map are
cached documents), so a process per request in flight is the simplest model that uses all cores
and never lets one slow request block others inside a worker. The reverse proxy in front buffers
slow clients, so a worker is never held by a slow link.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2 per core + 1: while one worker waits on PostgreSQL's commit, another uses the core.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Connections queued in the kernel while every worker is busy: a spike waits here, briefly,
# instead of being refused.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
# A request that takes this long is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Off by default: Streetwave's workers stay well under their memory budget (bench/ measures it),
# and recycling would hide a leak from that measurement. Set it as a safety net if one appears.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The application is imported once in the master and the workers fork from it: less memory per
# worker, and a broken release fails at start rather than on the first request.
preload_app = True
# No access log here: the reverse proxy writes the only one, without addresses or RSVP tokens
# (deploy/nginx.conf). Errors still go to stderr (journald).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# X-Forwarded-Proto is trusted from the proxy on the same host or private network only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "streetwave-web")


def post_fork(server, worker):
    """Connections opened in the master (by preload_app) must not be shared with the workers:
    close them so every worker opens its own on the first request. An application that is not
    Django (the bench's bare RSVP ceiling) opened none."""
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        connections.close_all()
