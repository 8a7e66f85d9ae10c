"""Re-encrypt every encrypted field under the newest key, so an old key can be retired.

Usage: prepend a new key to FIELD_ENCRYPTION_KEYS, run this command, then drop the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from streetwave.core.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            rows = model._base_manager.exclude(**{f"{fields[0]}__isnull": True})
            for row in rows.only("pk", *fields).iterator(chunk_size=500):
                with transaction.atomic():
                    # Reading decrypts with any key; writing encrypts with the first one.
                    model._base_manager.filter(pk=row.pk).update(
                        **{name: getattr(row, name) for name in fields}
                    )
                count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
