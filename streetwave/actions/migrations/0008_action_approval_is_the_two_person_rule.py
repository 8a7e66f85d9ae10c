"""An action waiting for a coordinator takes the one two-person state (streetwave.approvals) like
every other held row: `submitted_by` becomes `requested_by`; a pending action is held; a draft
sent back with a reason was withdrawn (by a coordinator nobody recorded, at its last change);
everything else needed nobody and is approved. See docs/decisions/0003-one-two-person-rule.md."""

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
    Action = apps.get_model("actions", "Action")
    Action.objects.filter(status="pending").update(approval="held")
    Action.objects.filter(status="draft").exclude(rejection_reason="").update(
        approval="withdrawn", withdrawn_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_actions_can_be_taken_down"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("action", "submitted_by", "requested_by"),
        migrations.AlterField(
            model_name="action",
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
            model_name="action",
            name="approval",
            field=models.CharField(
                choices=APPROVAL_CHOICES, default="approved", max_length=9, verbose_name="approval"
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved"),
        ),
        migrations.AddField(
            model_name="action", name="approved_by", field=_user_field("approved by")
        ),
        migrations.AddField(
            model_name="action",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.AddField(
            model_name="action", name="withdrawn_by", field=_user_field("withdrawn by")
        ),
        # Going back, the state is the status again: the new columns are dropped whole.
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=Q(status="pending", approval="held")
                | (~Q(status="pending") & ~Q(approval="held")),
                name="action_held_while_pending",
            ),
        ),
    ]
