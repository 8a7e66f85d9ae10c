"""Changes of time or place, relay messages and attendee exports take the one two-person state
(streetwave.approvals): held, then approved or withdrawn, with who asked, who approved and who
withdrew. Every row keeps its meaning; see docs/decisions/0003-one-two-person-rule.md."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q

APPROVAL_CHOICES = [
    ("held", "Waiting for a second person"),
    ("approved", "Approved"),
    ("withdrawn", "Withdrawn"),
]


def _user_field(verbose_name):
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.SET_NULL,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
    )


def forward(apps, schema_editor):
    ActionChange = apps.get_model("actions", "ActionChange")
    # pending -> held; applied (confirmed, or at once with nobody) -> approved by the decider
    ActionChange.objects.filter(approval="pending").update(approval="held")
    ActionChange.objects.filter(approval="applied").update(
        approval="approved", approved_by=F("decided_by"), approved_at=F("decided_at")
    )
    ActionChange.objects.filter(approval="withdrawn").update(
        withdrawn_by=F("decided_by"), withdrawn_at=F("decided_at")
    )
    RelayMessage = apps.get_model("actions", "RelayMessage")
    # sent (at once, or approved by approved_by) -> approved, at the time it went out
    RelayMessage.objects.filter(approval="sent").update(
        approval="approved", approved_at=F("sent_at")
    )
    AttendeeExport = apps.get_model("actions", "AttendeeExport")
    AttendeeExport.objects.filter(approved_at__isnull=False).update(approval="approved")


def backward(apps, schema_editor):
    ActionChange = apps.get_model("actions", "ActionChange")
    ActionChange.objects.filter(approval="held").update(approval="pending")
    ActionChange.objects.filter(approval="approved").update(
        approval="applied", decided_by=F("approved_by"), decided_at=F("approved_at")
    )
    ActionChange.objects.filter(approval="withdrawn").update(
        decided_by=F("withdrawn_by"), decided_at=F("withdrawn_at")
    )
    RelayMessage = apps.get_model("actions", "RelayMessage")
    RelayMessage.objects.filter(approval="approved").update(approval="sent")
    # Before this migration a relay message could not be withdrawn; none was, so none is left.
    RelayMessage.objects.filter(approval="withdrawn").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0005_capitalized_choice_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # changes of time or place
        migrations.RemoveConstraint(model_name="actionchange", name="action_one_pending_change"),
        migrations.RenameField(model_name="actionchange", old_name="status", new_name="approval"),
        migrations.AlterField(
            model_name="actionchange",
            name="approval",
            field=models.CharField(max_length=16, verbose_name="approval"),
        ),
        migrations.AddField(
            model_name="actionchange", name="approved_by", field=_user_field("approved by")
        ),
        migrations.AddField(
            model_name="actionchange",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved"),
        ),
        migrations.AddField(
            model_name="actionchange", name="withdrawn_by", field=_user_field("withdrawn by")
        ),
        migrations.AddField(
            model_name="actionchange",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        # relay messages
        migrations.RenameField(
            model_name="relaymessage", old_name="author", new_name="requested_by"
        ),
        migrations.AlterField(
            model_name="relaymessage",
            name="requested_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.RenameField(model_name="relaymessage", old_name="status", new_name="approval"),
        migrations.AlterField(
            model_name="relaymessage",
            name="approval",
            field=models.CharField(max_length=9, verbose_name="approval"),
        ),
        migrations.AddField(
            model_name="relaymessage",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved"),
        ),
        migrations.AddField(
            model_name="relaymessage", name="withdrawn_by", field=_user_field("withdrawn by")
        ),
        migrations.AddField(
            model_name="relaymessage",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        # attendee exports
        migrations.AddField(
            model_name="attendeeexport",
            name="approval",
            field=models.CharField(
                choices=APPROVAL_CHOICES, default="held", max_length=9, verbose_name="approval"
            ),
        ),
        migrations.AddField(
            model_name="attendeeexport", name="withdrawn_by", field=_user_field("withdrawn by")
        ),
        migrations.AddField(
            model_name="attendeeexport",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="actionchange", name="decided_by"),
        migrations.RemoveField(model_name="actionchange", name="decided_at"),
        migrations.AlterField(
            model_name="actionchange",
            name="approval",
            field=models.CharField(
                choices=APPROVAL_CHOICES, default="held", max_length=9, verbose_name="approval"
            ),
        ),
        migrations.AlterField(
            model_name="relaymessage",
            name="approval",
            field=models.CharField(
                choices=APPROVAL_CHOICES, default="held", max_length=9, verbose_name="approval"
            ),
        ),
        migrations.AddConstraint(
            model_name="actionchange",
            constraint=models.UniqueConstraint(
                condition=Q(approval="held"), fields=("action",), name="action_one_pending_change"
            ),
        ),
    ]
