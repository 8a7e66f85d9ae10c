"""The tally of streets taken: only actions a second person verified as having taken place
count, with the turnout of their current report-back; the goal bar counts them once the
campaign's window is open, and the streets planned before."""

import datetime as dt

import pytest
from django.utils import timezone

from streetwave.campaigns.tally import compute_tally
from streetwave.reportbacks import services

pytestmark = pytest.mark.django_db


def test_a_held_report_back_takes_no_street(world, file_report, campaign):
    file_report()
    tally = compute_tally(campaign)
    assert (tally["actions"], tally["streets_taken"], tally["turnout"]) == (1, 0, 0)


def test_a_verified_report_back_takes_a_street_with_its_turnout(world, file_report, campaign):
    services.verify_report_back(file_report(turnout=300), actor=world.lead)
    tally = compute_tally(campaign)
    assert (tally["streets_taken"], tally["completed"], tally["turnout"]) == (1, 1, 300)
    assert tally["per_country"] == [
        {
            "code": world.action.city.country.code,
            "name": world.action.city.country.name,
            "name_fa": world.action.city.country.name_fa,
            "actions": 1,
            "streets_taken": 1,
            "cities": 1,
        }
    ]


def test_an_ended_action_without_a_report_takes_no_street(world, campaign):
    # (until report-backs, an action that was published and had ended counted)
    assert compute_tally(campaign)["streets_taken"] == 0


def test_did_not_take_place_is_planned_but_not_taken(world, file_report, campaign):
    services.verify_report_back(
        file_report(took_place=False, turnout=None, reason="Rain."), actor=world.lead
    )
    tally = compute_tally(campaign)
    assert (tally["actions"], tally["streets_taken"], tally["turnout"]) == (1, 0, 0)


def test_a_verified_correction_replaces_the_turnout(world, file_report, campaign):
    first = services.verify_report_back(file_report(turnout=300), actor=world.lead)
    correction = services.correct_report_back(
        first,
        took_place=True,
        reason="",
        turnout=450,
        turnout_is_estimate=True,
        story="",
        language="en",
        actor=world.organizer,
    )
    assert compute_tally(campaign)["turnout"] == 300
    services.verify_report_back(correction, actor=world.lead)
    tally = compute_tally(campaign)
    assert (tally["streets_taken"], tally["turnout"]) == (1, 450)


def test_the_goal_bar_counts_streets_taken_once_the_window_opens(
    world, file_report, make_action, campaign
):
    # given a goal of 4, two actions planned and one street taken
    campaign.goal = 4
    campaign.save(update_fields=["goal"])
    make_action(hub=world.hub, campaign=campaign, starts_in=dt.timedelta(days=1))
    services.verify_report_back(file_report(), actor=world.lead)
    # before the window opens the bar shows the streets planned, from then on those taken
    before = compute_tally(campaign, now=campaign.starts_at - dt.timedelta(hours=1))
    during = compute_tally(campaign, now=timezone.now())
    assert (before["goal_counts"], before["goal_percent"]) == ("actions", 50)
    assert (during["goal_counts"], during["goal_percent"]) == ("streets_taken", 25)
