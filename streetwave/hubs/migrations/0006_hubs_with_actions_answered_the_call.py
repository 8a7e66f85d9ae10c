from django.db import migrations
from django.db.models import Min


def answer_for_hubs_with_actions(apps, schema_editor):
    # Until hubs answered a call, a hub took part in a campaign by having an action in it: each
    # such hub answered (and was accepted) when it created its first action there.
    Action = apps.get_model("actions", "Action")
    Participation = apps.get_model("hubs", "Participation")
    firsts = (
        Action.objects.filter(campaign__isnull=False)
        .values("hub_id", "campaign_id")
        .annotate(first=Min("created_at"))
        .order_by("hub_id", "campaign_id")
    )
    Participation.objects.bulk_create(
        [
            Participation(
                hub_id=row["hub_id"],
                campaign_id=row["campaign_id"],
                state="accepted",
                answered_at=row["first"],
                accepted_at=row["first"],
            )
            for row in firsts
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def forget_answers(apps, schema_editor):
    # The schema before knows no answers: the rows go with the table.
    apps.get_model("hubs", "Participation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0005_campaign_invitations_and_answers_to_the_call"),
        ("actions", "0007_actions_can_be_taken_down"),
    ]

    operations = [migrations.RunPython(answer_for_hubs_with_actions, forget_answers)]
