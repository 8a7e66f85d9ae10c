"""Statuses, kinds and audiences are shown as words people read, never as the stored values."""

import pytest
from django.urls import reverse
from django.utils import translation

from streetwave.actions.models import RSVP, Action
from streetwave.approvals.models import Approval
from streetwave.broadcasts.models import Broadcast
from streetwave.campaigns.models import Campaign
from streetwave.hubs.models import Hub
from streetwave.outbox.models import Delivery

# Choices that pages, tables, exports and the admin show on their own, as a value.
SHOWN_AS_VALUES = [
    Action.Kind,
    Action.Status,
    RSVP.Status,
    Approval,
    Hub.Status,
    Broadcast.Audience,
    Broadcast.Status,
    Delivery.Status,
    Campaign.Status,
    Campaign.ApprovalPolicy,
]


@pytest.mark.parametrize("choices", SHOWN_AS_VALUES, ids=lambda choices: choices.__qualname__)
def test_labels_shown_as_values_start_with_a_capital(choices):
    # Given the labels of choices shown as a value, in English
    with translation.override("en"):
        labels = [str(label) for label in choices.labels]
    # Then each reads as a word on its own, not as the lowercase value that is stored
    assert [label for label in labels if not label[:1].isupper()] == []


@pytest.mark.django_db
def test_the_action_page_names_its_kind(client, make_action):
    # Given a published vigil
    action = make_action(kind=Action.Kind.VIGIL)
    # When its page is read in English and in Persian
    with translation.override("en"):
        english = client.get(reverse("actions:detail", args=[action.public_id])).content.decode()
    with translation.override("fa"):
        persian = client.get(reverse("actions:detail", args=[action.public_id])).content.decode()
    # Then the kind is a word in each language, with the glossary's Persian word
    assert '<p class="kind">Vigil' in english
    assert '<p class="kind">شمع\u200cافروزی' in persian
