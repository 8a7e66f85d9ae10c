"""Message and Delivery move from the broadcasts app to the outbox, keeping their tables
(broadcasts_message, broadcasts_delivery): this only tells Django's state that the outbox owns
them; the database does not change. broadcasts 0004 removes them from the broadcasts state."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import streetwave.core.crypto
import streetwave.core.ids


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables are created (on an empty database) by the broadcasts migrations up to here.
        ("broadcasts", "0003_capitalized_choice_labels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=32)),
                        ("key", models.CharField(max_length=120, unique=True)),
                        ("data", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={"db_table": "broadcasts_message"},
                ),
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "public_id",
                            models.CharField(
                                default=streetwave.core.ids.new_public_id,
                                editable=False,
                                max_length=16,
                                unique=True,
                                verbose_name="public id",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        ("recipient", models.CharField(max_length=40)),
                        ("channel", models.CharField(default="email", max_length=16)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed permanently"),
                                    ("skipped", "Not needed any more"),
                                ],
                                default="queued",
                                max_length=8,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=120)),
                        (
                            "next_attempt_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("claim", models.CharField(blank=True, max_length=32)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "secret",
                            streetwave.core.crypto.EncryptedTextField(
                                blank=True, editable=False, null=True
                            ),
                        ),
                        (
                            "message",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to="outbox.message",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "delivery",
                        "verbose_name_plural": "deliveries",
                        "db_table": "broadcasts_delivery",
                        "indexes": [
                            models.Index(
                                fields=["status", "next_attempt_at"], name="delivery_due_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("message", "recipient", "channel"),
                                name="delivery_once_per_recipient",
                            )
                        ],
                    },
                ),
            ],
        )
    ]
