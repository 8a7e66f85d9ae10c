import pytest
from django.db import DatabaseError, connection, transaction

from streetwave.audit.models import AppendOnlyError, AuditEntry
from streetwave.audit.services import record

pytestmark = pytest.mark.django_db


def test_record_appends_an_entry_with_a_dotted_verb(django_user_model):
    actor = django_user_model.objects.create_user("lead@example.org", "a long passphrase")
    entry = record("hub.vouched", actor=actor, target=actor, data={"count": 2})
    assert entry.verb == "hub.vouched" and entry.actor == actor
    assert entry.target_type == "accounts.user" and entry.target_id == actor.public_id


def test_the_orm_refuses_to_change_or_delete_entries():
    entry = record("rsvp.created")
    entry.verb = "rsvp.forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(verb="rsvp.forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET verb = 'rsvp.forged'",
        pytest.param("DELETE FROM audit_auditentry", marks=pytest.mark.postgres),
    ],
)
def test_the_database_refuses_raw_changes_too(statement):
    if "DELETE" in statement and connection.vendor != "postgresql":
        pytest.skip("SQLite test databases are emptied with DELETE; see migration 0002")
    record("rsvp.created")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.get().verb == "rsvp.created"
