"""The campaign's console pages (create, settings, state), a draft's preview, "edited", and the
home page's lists."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from streetwave.audit.models import AuditEntry
from streetwave.campaigns.live import live_key
from streetwave.campaigns.models import Campaign
from streetwave.core.i18n import jalali_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user("operator@example.org", is_operator=True)


def settings_form(campaign: Campaign, **changes) -> dict:
    zone_start = timezone.localtime(campaign.starts_at, timezone.get_fixed_timezone(0))
    zone_end = timezone.localtime(campaign.ends_at, timezone.get_fixed_timezone(0))
    data = {
        "fallback_language": campaign.languages[0],
        "other_languages": campaign.languages[1:],
        "start_date": zone_start.date().isoformat(),
        "start_time": zone_start.strftime("%H:%M"),
        "end_date": zone_end.date().isoformat(),
        "end_time": zone_end.strftime("%H:%M"),
        "zone": "UTC",
        "goal": "1000",
        "approval_policy": campaign.approval_policy,
        "hub_policy": campaign.hub_policy,
        "rsvp_retention_days": "30",
    }
    for code in campaign.languages:
        text = campaign.texts.get(code, {})
        data[f"title_{code}"] = text.get("title", "")
        data[f"statement_{code}"] = text.get("statement", "")
        data[f"demands_{code}"] = "\n".join(text.get("demands", []))
    return data | changes


def test_an_operator_creates_a_draft_in_the_browser(client, login, operator):
    login(client, operator)

    response = client.post(
        "/fa/manage/campaigns/new/",
        {
            "slug": "streets-2027",
            "fallback_language": "fa",
            "other_languages": ["en", "de"],
            "title": "خیابان‌ها از آن ماست",
            "start_date": "2027-03-21",
            "start_time": "۱۰:۰۰",
            "end_date": "2027-03-22",
            "end_time": "22:00",
            "zone": "Asia/Tehran",
            "goal": "۵۰۰",
        },
    )

    campaign = Campaign.objects.get(slug="streets-2027")
    assert response.status_code == 302
    assert response["Location"] == "/fa/manage/campaigns/streets-2027/settings/"
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.languages == ["fa", "en", "de"]
    assert campaign.goal == 500
    # 10:00 in Tehran (UTC+03:30) is 06:30 UTC
    assert campaign.starts_at == dt.datetime(2027, 3, 21, 6, 30, tzinfo=dt.UTC)
    assert campaign.text("fa")["title"] == "خیابان‌ها از آن ماست"


@pytest.mark.parametrize(
    ("language", "says"),
    [("en", "is not a known time zone"), ("fa", 'dir="rtl"')],
)
def test_the_create_form_comes_back_with_what_went_wrong(client, login, operator, language, says):
    login(client, operator)

    response = client.post(
        f"/{language}/manage/campaigns/new/",
        {
            "slug": "streets-2027",
            "fallback_language": "en",
            "title": "Streets",
            "start_date": "2027-03-21",
            "start_time": "10:00",
            "end_date": "2027-03-20",
            "end_time": "22:00",
            "zone": "Mars/Olympus",
            "goal": "500",
        },
    )

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Campaign.objects.exists()


def test_only_operators_open_the_create_page(
    client, login, make_user, make_campaign, make_coordinator
):
    login(client, make_coordinator(make_campaign()))

    assert client.get("/en/manage/campaigns/new/").status_code == 404


def test_a_coordinator_edits_the_texts_per_language(client, login, make_campaign, make_coordinator):
    campaign = make_campaign()
    login(client, make_coordinator(campaign))
    page = client.get("/fa/manage/campaigns/streets/settings/").content.decode()
    assert 'lang="en"' in page and 'lang="fa"' in page

    response = client.post(
        "/en/manage/campaigns/streets/settings/",
        settings_form(
            campaign,
            statement_en="Come **all**.",
            demands_en="Free them\n\n  Now  \n",
            rsvp_retention_days="14",
        ),
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.texts["en"]["statement"] == "Come **all**."
    assert campaign.texts["en"]["demands"] == ["Free them", "Now"]
    assert campaign.rsvp_retention_days == 14
    assert campaign.texts_edited_at is not None


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_retention_out_of_bounds_is_an_error_on_its_field(
    client, login, make_campaign, operator, language
):
    campaign = make_campaign()
    login(client, operator)

    response = client.post(
        f"/{language}/manage/campaigns/streets/settings/",
        settings_form(campaign, rsvp_retention_days="365"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field has-error"' in html
    campaign.refresh_from_db()
    assert campaign.rsvp_retention_days == 30


def test_a_window_that_leaves_out_actions_comes_back_with_their_list(
    client, login, make_campaign, make_action, operator
):
    campaign = make_campaign()
    make_action(campaign=campaign, title="Rally at the square")
    login(client, operator)
    tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(dt.UTC)

    response = client.post(
        "/en/manage/campaigns/streets/settings/",
        settings_form(
            campaign, end_date=tomorrow.date().isoformat(), end_time=tomorrow.strftime("%H:%M")
        ),
    )

    assert response.status_code == 400
    assert "Rally at the square" in response.content.decode()


def test_the_state_changes_after_a_confirmation(client, login, make_campaign, operator):
    campaign = make_campaign(status=Campaign.Status.DRAFT)
    login(client, operator)

    confirmation = client.get("/en/manage/campaigns/streets/state/")
    assert confirmation.status_code == 200
    assert "Open the campaign" in confirmation.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT

    response = client.post("/en/manage/campaigns/streets/state/", {"change": "open"})

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LIVE
    assert AuditEntry.objects.filter(verb="campaign.opened").count() == 1


def test_a_stale_change_of_state_says_why(client, login, make_campaign, operator):
    make_campaign()
    login(client, operator)

    response = client.post("/en/manage/campaigns/streets/state/", {"change": "open"}, follow=True)

    assert "Only a draft campaign can be opened." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en/c/next/",
        "/en/c/next/map/",
        "/en/c/next/wave/",
        "/en/c/next/tally/",
        "/en/c/next/map.json",
        "/en/c/next/wave/fragment/",
        "/en/c/next/calendar.ics",
    ],
)
def test_a_draft_is_a_preview_for_its_coordinators_never_cached(
    client, login, make_campaign, make_coordinator, make_user, path
):
    draft = make_campaign("next", status=Campaign.Status.DRAFT)
    assert client.get(path).status_code == 404
    login(client, make_user())
    assert client.get(path).status_code == 404

    login(client, make_coordinator(draft))
    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    if path.endswith("/") and "fragment" not in path and "tally" not in path:
        assert "Preview: not public yet." in response.content.decode()
    # nothing of the draft is in the cache that public documents share
    for kind in ("tally", "map", "wave"):
        assert cache.get(live_key(kind, "next", "en")) is None


def test_an_open_campaign_shows_no_preview_banner(client, make_campaign):
    make_campaign()

    html = client.get("/en/c/streets/").content.decode()

    assert "Preview: not public yet." not in html


def test_an_edited_call_says_so_in_the_campaigns_time(client, make_campaign):
    campaign = make_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(
        zone="Asia/Tehran", texts_edited_at=dt.datetime(2027, 3, 21, 6, 30, tzinfo=dt.UTC)
    )

    english = client.get("/en/c/streets/").content.decode()
    persian = client.get("/fa/c/streets/").content.decode()

    assert "Edited" in english and "10:00" in english
    # Jalali: 1 Farvardin 1406, in Persian digits
    assert "فروردین" in persian and "۱۰:۰۰" in persian


def test_the_statement_is_markdown_without_raw_html(client, make_campaign):
    texts = {
        "en": {
            "title": "Streets",
            "statement": "Come **all** <script>alert(1)</script>",
            "demands": [],
        }
    }
    make_campaign(texts=texts, languages=("en",))

    html = client.get("/en/c/streets/").content.decode()

    assert "<strong>all</strong>" in html
    assert "<script>alert(1)" not in html


def test_home_lists_open_then_ended_never_drafts_or_archived(
    client, make_campaign, django_assert_max_num_queries
):
    make_campaign("now")
    coming = make_campaign("coming")
    Campaign.objects.filter(pk=coming.pk).update(
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=31),
    )
    make_campaign("done", status=Campaign.Status.ENDED)
    make_campaign("old", status=Campaign.Status.ARCHIVED)
    make_campaign("plans", status=Campaign.Status.DRAFT)
    client.get("/en/")  # builds the tallies' copies

    with django_assert_max_num_queries(2):  # the open campaigns, the ended ones
        html = client.get("/en/").content.decode()

    assert html.index("/c/now/") < html.index("/c/coming/") < html.index("/c/done/")
    assert "Ended campaigns" in html
    assert "/c/old/" not in html and "/c/plans/" not in html
    # an archived campaign stays at its address
    assert client.get("/en/c/old/").status_code == 200


def test_the_campaign_tabs_are_those_the_reader_may_open(
    client, login, operator, make_campaign, make_coordinator
):
    # given a campaign, its operator and one of its coordinators
    campaign = make_campaign()
    coordinator = make_coordinator(campaign)
    approvals = f'href="/en/manage/campaigns/{campaign.slug}/approvals/"'
    settings_tab = f'href="/en/manage/campaigns/{campaign.slug}/settings/"'

    # when the operator opens the settings or the coordinators, then no tab leads to a
    # coordinator's own page
    login(client, operator)
    for tab in ("settings", "coordinators"):
        page = client.get(f"/en/manage/campaigns/{campaign.slug}/{tab}/").content.decode()
        assert settings_tab in page and approvals not in page

    # and the coordinator's own pages show the settings tab beside theirs
    login(client, coordinator)
    page = client.get(f"/en/manage/campaigns/{campaign.slug}/approvals/").content.decode()
    assert settings_tab in page and approvals in page


def test_in_persian_the_window_dates_stand_beside_their_jalali_day(client, login, operator):
    # given a campaign whose window starts on the first day of the Persian year 1406
    login(client, operator)
    campaign = Campaign.objects.create(
        slug="nowruz",
        texts={"fa": {"title": "نوروز"}},
        languages=["fa"],
        starts_at=dt.datetime(2027, 3, 21, 6, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 3, 22, 18, 30, tzinfo=dt.UTC),
    )
    # when the operator opens its settings in Persian
    page = client.get(f"/fa/manage/campaigns/{campaign.slug}/settings/").content.decode()
    # then the start date's Jalali day is written beside it, kept current by the page's script
    output = re.search(r'<output[^>]*data-jalali-for="id_start_date"[^>]*>([^<]*)</output>', page)
    assert output is not None and output.group(1) == jalali_date(dt.date(2027, 3, 21))
    assert "js/jalali-date" in page


def test_the_campaigns_languages_are_named_as_everywhere_else(client, login, operator):
    # given an operator reading the new campaign page in Persian
    login(client, operator)
    page = client.get("/fa/manage/campaigns/new/").content.decode()
    # then German is named in Persian, as on a hub's form, not in its own words
    checkbox = re.search(r'value="de"[^>]*>\s*([^<]+?)\s*</label>', page)
    assert checkbox is not None and checkbox.group(1) == "آلمانی"
