"""The one retention job (audit.services.erase_expired_personal_data): it walks the data map;
each app's rules are tested with the app."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from streetwave.accounts.models import UserSession
from streetwave.audit import tasks
from streetwave.audit.models import AuditEntry
from streetwave.audit.services import erase_expired_personal_data

pytestmark = pytest.mark.django_db


def _session(user, *, hours_old):
    session = UserSession.objects.create(
        user=user, key_hash="h" * 64, device="Firefox · Linux", last_seen_at=timezone.now()
    )
    UserSession.objects.filter(pk=session.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=hours_old)
    )
    return session


def test_organizer_session_rows_go_a_day_after_their_maximum_age(make_user):
    # given a session row just past its time and one just within it
    user = make_user()
    max_age_hours = settings.ORGANIZER_SESSION_MAX_AGE // 3600
    _session(user, hours_old=max_age_hours + 25)
    kept = _session(user, hours_old=max_age_hours + 23)
    # when the job runs
    counts = erase_expired_personal_data()
    # then the old row is gone, without the owner signing in again
    assert counts == {"accounts.UserSession": 1}
    assert list(UserSession.objects.all()) == [kept]


def test_one_audit_entry_with_counts_per_model_and_no_personal_data(make_user):
    user = make_user(display_name="Unique Canary Name")
    _session(user, hours_old=48)
    _session(user, hours_old=48)
    erase_expired_personal_data()
    [entry] = AuditEntry.objects.filter(verb="retention.erased")
    assert entry.data == {"counts": {"accounts.UserSession": 2}}
    assert entry.actor is None and entry.target_id == ""
    assert "Canary" not in str(entry.data) and user.email not in str(entry.data)


def test_nothing_to_erase_writes_no_entry():
    assert erase_expired_personal_data() == {}
    assert not AuditEntry.objects.filter(verb="retention.erased").exists()


def test_the_task_runs_the_job_and_beat_schedules_it_hourly(make_user):
    _session(make_user(), hours_old=48)
    assert tasks.erase_expired_personal_data.delay().get() == {"accounts.UserSession": 1}
    scheduled = settings.CELERY_BEAT_SCHEDULE["erase-expired-personal-data"]
    assert scheduled == {
        "task": "streetwave.audit.tasks.erase_expired_personal_data",
        "schedule": 3600.0,
    }


def test_the_job_is_the_only_eraser_beat_runs():
    erasers = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if ".erase" in entry["task"]
    ]
    assert erasers == ["streetwave.audit.tasks.erase_expired_personal_data"]
