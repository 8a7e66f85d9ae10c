"""Message and Delivery now belong to the outbox (outbox 0001, over the same tables): the
broadcast's message points at outbox.Message, and the broadcasts state forgets both models.
State only: no table, column or constraint changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("broadcasts", "0003_capitalized_choice_labels"),
        ("outbox", "0001_message_and_delivery_from_broadcasts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="broadcast",
                    name="message",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="broadcast",
                        to="outbox.message",
                    ),
                ),
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="Message"),
            ],
        )
    ]
