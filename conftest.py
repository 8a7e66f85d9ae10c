import pytest

from streetwave.celery import app as celery_app


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in unit tests; the real-worker tests start their own processes."""
    celery_app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a collectstatic run; the manifest storage is exercised by make run."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
