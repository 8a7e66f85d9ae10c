"""Core work for Celery: `rebuild_cached` builds the next copy of a cached document a reader
found old. It is declared in core.cache, which queues it; it is named here for Celery's
autodiscovery of each app's tasks module."""

from .cache import rebuild_cached

__all__ = ["rebuild_cached"]
