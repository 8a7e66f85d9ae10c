from celery import shared_task

from . import cache


@shared_task
def rebuild_cached(key: str, builder: str, args: list) -> None:
    """The next copy of a cached document a reader found old (core.cache)."""
    cache.rebuild(key, builder, args)
