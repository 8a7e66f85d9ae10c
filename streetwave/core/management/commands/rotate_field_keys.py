"""Re-encrypt every value encrypted with FIELD_ENCRYPTION_KEYS under the first (newest) key, so
an old key can be retired: the EncryptedTextField columns and the tokens other code keeps with
these keys (allauth's TOTP secrets and recovery-code seeds), as `crypto.encrypted_stores` lists.

Usage: prepend a new key to FIELD_ENCRYPTION_KEYS, run this command, then drop the old key.
Values already under the newest key are left alone, so a second run reports 0 re-encrypted
everywhere once nothing needs the old key any more; an interrupted run is finished by running it
again.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from streetwave.core.crypto import EncryptedColumns, EncryptedJSONKeys, encrypted_stores
from streetwave.core.locking import lock

# Rows per transaction: each batch is locked only while it is rewritten, so sign-ins and RSVPs go
# on during a rotation, and a concurrent write (an erasure, a used recovery code) is never undone.
BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        for store in encrypted_stores():
            rotated, total = rotate_store(store)
            self.stdout.write(f"{store}: {rotated} of {total} rows re-encrypted")


def rotate_store(store: EncryptedColumns | EncryptedJSONKeys) -> tuple[int, int]:
    """Returns (rows re-encrypted, rows read)."""
    aliases = {f"stored_{name}": expression for name, expression in store.stored().items()}
    rotated = total = 0
    last_pk = None
    while True:
        with transaction.atomic():
            batch = store.rows().order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(lock(batch).values("pk", **aliases)[:BATCH_SIZE])
            for row in rows:
                stored = {alias.removeprefix("stored_"): row[alias] for alias in aliases}
                changes = store.rotated(stored)
                if changes:
                    store.rows().filter(pk=row["pk"]).update(**changes)
                    rotated += 1
        if not rows:
            return rotated, total
        total += len(rows)
        last_pk = rows[-1]["pk"]
