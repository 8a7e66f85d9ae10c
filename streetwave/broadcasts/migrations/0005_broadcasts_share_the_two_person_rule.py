"""Broadcasts take the one two-person state (streetwave.approvals) beside their status: the
author becomes `requested_by`; a held broadcast is held in both; a cancelled one that nobody had
approved is withdrawn; every other is approved, by its approver or, when it needed nobody, by
nobody. See docs/decisions/0003-one-two-person-rule.md."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q
from django.db.models.functions import Coalesce


def forward(apps, schema_editor):
    Broadcast = apps.get_model("broadcasts", "Broadcast")
    Broadcast.objects.filter(status="cancelled", approved_by__isnull=True).update(
        approval="withdrawn", withdrawn_at=F("updated_at")
    )
    Broadcast.objects.exclude(status="held").exclude(approval="withdrawn").update(
        approval="approved"
    )
    # The moment of an approval was not kept: it went out then, or was last touched then.
    Broadcast.objects.filter(approved_by__isnull=False).update(
        approved_at=Coalesce(F("sent_at"), F("updated_at"))
    )
    if schema_editor.connection.vendor == "postgresql":
        # The checks these updates queued run now, not at commit: PostgreSQL alters no table
        # (the constraint below) with checks still pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("broadcasts", "0004_message_and_delivery_move_to_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="broadcast", old_name="author", new_name="requested_by"),
        migrations.AlterField(
            model_name="broadcast",
            name="requested_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AddField(
            model_name="broadcast",
            name="approval",
            field=models.CharField(
                choices=[
                    ("held", "Waiting for a second person"),
                    ("approved", "Approved"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="held",
                max_length=9,
                verbose_name="approval",
            ),
        ),
        migrations.AddField(
            model_name="broadcast",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved"),
        ),
        migrations.AddField(
            model_name="broadcast",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="withdrawn by",
            ),
        ),
        migrations.AddField(
            model_name="broadcast",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="broadcast",
            constraint=models.CheckConstraint(
                condition=Q(status="held", approval="held")
                | (~Q(status="held") & ~Q(approval="held")),
                name="broadcast_held_in_both",
            ),
        ),
    ]
