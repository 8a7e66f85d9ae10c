import datetime as dt

import pytest
from django.utils import timezone

from streetwave.actions.models import Action


@pytest.mark.parametrize(
    "moment",
    ["before the start", "at the start", "during", "at the end", "after the end"],
)
def test_the_phase_queries_agree_with_phase_at(make_action, moment):
    # given an action and a moment around its bounds
    action = make_action(starts_in=dt.timedelta(days=1))
    now = {
        "before the start": action.starts_at - dt.timedelta(seconds=1),
        "at the start": action.starts_at,
        "during": action.starts_at + (action.ends_at - action.starts_at) / 2,
        "at the end": action.ends_at,
        "after the end": action.ends_at + dt.timedelta(seconds=1),
    }[moment]

    # when the database is asked which phase holds it
    found = {
        phase
        for phase, query in [
            (Action.Phase.UPCOMING, Action.objects.upcoming(now)),
            (Action.Phase.NOW, Action.objects.happening(now)),
            (Action.Phase.ENDED, Action.objects.ended(now)),
        ]
        if query.filter(pk=action.pk).exists()
    }

    # then it is in exactly the phase the model computes
    assert found == {action.phase_at(now)}


def test_in_phases_of_nothing_is_empty(make_action):
    make_action()

    assert not Action.objects.in_phases([], timezone.now()).exists()
