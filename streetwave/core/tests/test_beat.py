"""When beat last sent each scheduled task, read from its own schedule file."""

from celery.beat import PersistentScheduler

from streetwave.celery import app
from streetwave.core.beat import last_runs


def beat_file(path, *, sent=()):
    """A schedule file as beat leaves it, having sent the entries named in `sent` once."""
    scheduler = PersistentScheduler(app=app, schedule_filename=str(path), lazy=True)
    scheduler.setup_schedule()
    for name in sent:
        scheduler.schedule[name] = scheduler.schedule[name]._next_instance()
    scheduler.close()


def test_no_file_here_is_no_answer(tmp_path):
    assert last_runs(str(tmp_path / "beat-schedule")) is None


def test_every_scheduled_task_is_listed_with_its_last_sending(tmp_path, settings):
    # given beat's file, after it sent the outbox's sweep once
    path = tmp_path / "beat-schedule"
    beat_file(path, sent=["sweep-outbox"])

    # when it is read
    runs = last_runs(str(path))

    # then every entry of the settings is there, in their order; only the sweep was sent
    assert [run.name for run in runs] == list(settings.CELERY_BEAT_SCHEDULE)
    sent = {run.name: run.last_sent_at for run in runs}
    assert sent.pop("sweep-outbox") is not None
    assert set(sent.values()) == {None}


def test_a_file_that_is_no_schedule_is_no_answer(tmp_path):
    path = tmp_path / "beat-schedule"
    path.write_bytes(b"not a database")

    assert last_runs(str(path)) is None
