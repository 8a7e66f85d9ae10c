"""The operator's console, /<lang>/manage/instance/: every campaign with its state, window and
counts, and the instance's health, for operators only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from streetwave.actions.models import Action
from streetwave.campaigns.models import Campaign
from streetwave.hubs.models import Participation
from streetwave.outbox.models import Delivery, Message

pytestmark = pytest.mark.django_db

URL = "/en/manage/instance/"


@pytest.fixture
def operator(make_user):
    return make_user("operator@example.org", is_operator=True)


@pytest.fixture
def instance(make_campaign, make_hub, make_city, make_action):
    """A campaign open with two hubs' actions (public, waiting, a draft) and a third hub that
    answered its call, a draft campaign and an archived one."""
    open_one = make_campaign("streets")
    paris = make_city("Paris", country="FR", timezone="Europe/Paris", lat=48.85, lon=2.35)
    berlin_hub, paris_hub = make_hub("Berlin hub"), make_hub("Paris hub", city=paris)
    make_action(hub=berlin_hub, campaign=open_one, title="Rally")
    make_action(
        hub=berlin_hub,
        campaign=open_one,
        title="Vigil",
        status=Action.Status.PENDING,
        approval="held",
    )
    make_action(hub=paris_hub, campaign=open_one, title="March")
    make_action(hub=paris_hub, campaign=open_one, title="Sketch", status=Action.Status.DRAFT)
    # a hub that answered the call and plans nothing yet; one whose answer waits
    Participation.objects.create(hub=make_hub("Lyon hub", city=paris), campaign=open_one)
    Participation.objects.create(
        hub=make_hub("Nantes hub", city=paris),
        campaign=open_one,
        state=Participation.State.PENDING,
    )
    draft = make_campaign("next-call", status=Campaign.Status.DRAFT)
    archived = make_campaign("last-year", status=Campaign.Status.ARCHIVED)
    return {"open": open_one, "draft": draft, "archived": archived}


def rows_of(html):
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_operator_sees_every_campaign_with_its_state_window_and_counts(
    client, login, operator, instance
):
    # given an operator with a verified session
    login(client, operator)

    # when they open the console
    response = client.get(URL)

    # then every campaign is listed, drafts and archived ones too, with its state and counts
    assert response.status_code == 200
    html = response.content.decode()
    rows = rows_of(html)
    for slug in ("streets", "next-call", "last-year"):
        assert slug in rows
    assert ">Open<" in rows and ">Draft<" in rows and ">Archived<" in rows
    open_row = next(row for row in rows.split("<tr>") if "streets" in row)
    # three hubs take part (a waiting answer does not count), two public actions, one waiting
    # for approval; the draft counts nowhere
    cells = [cell.split(">")[-1] for cell in open_row.split("</td>") if 'class="num"' in cell]
    assert cells == ["3", "2", "1"]
    assert instance["open"].zone in open_row
    # the public page of an open campaign, the preview of a draft
    assert 'href="/en/c/streets/"' in html and 'href="/en/c/next-call/"' in html
    assert "Preview" in html
    # and the way to create one, and to each campaign's settings and coordinators
    assert 'href="/en/manage/campaigns/new/"' in html
    for slug in ("streets", "next-call", "last-year"):
        assert f'href="/en/manage/campaigns/{slug}/settings/"' in html
        assert f'href="/en/manage/campaigns/{slug}/coordinators/"' in html


@pytest.mark.parametrize("who", ["coordinator", "organizer", "nobody"])
def test_anyone_but_an_operator_gets_a_404(
    client, login, make_user, make_member, make_coordinator, make_hub, instance, who
):
    user = {
        "coordinator": lambda: make_coordinator(instance["open"]),
        "organizer": lambda: make_member(make_hub("Leipzig hub")),
        "nobody": make_user,
    }[who]()
    login(client, user)

    assert client.get(URL).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


def test_an_operator_without_a_verified_second_factor_is_sent_to_set_one_up(client, operator):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=operator, email=operator.email, verified=True, primary=True)
    client.post(
        "/en/accounts/login/", {"login": operator.email, "password": "correct horse battery staple"}
    )

    response = client.get(URL)

    assert response.status_code == 302 and response["Location"] == "/en/accounts/2fa/"


def test_the_health_shows_the_checks_and_the_outbox_backlog(client, login, operator, settings):
    # given the embedded default's broker (folders, whatever this run's settings say), and
    # deliveries in every state: two waiting, one waiting again after a failure, one being
    # sent, one failed and one sent; the oldest waiting one queued two hours ago
    settings.CELERY_BROKER_URL = "filesystem://"
    message = Message.objects.create(kind="test.kind", key="test-1")
    states = [
        ("queued", ""),
        ("queued", ""),
        ("queued", "SMTPServerDisconnected"),
        ("sending", ""),
        ("failed", "SMTPRecipientsRefused 550"),
        ("sent", ""),
    ]
    for number, (status, error) in enumerate(states):
        Delivery.objects.create(
            message=message, recipient=f"user:{number}", status=status, last_error=error
        )
    Delivery.objects.filter(recipient="user:0").update(
        created_at=timezone.now() - dt.timedelta(hours=2, minutes=1)
    )
    login(client, operator)

    # when the operator opens the console
    html = client.get(URL).content.decode()

    # then the database and cache work, the broker of the embedded default has nothing to
    # check, and the backlog is counted (never naming a recipient)
    assert "Database</th>\n        <td>Working" in html
    assert "Cache</th>\n        <td>Working" in html
    assert "nothing to check" in html
    health = html.split('id="health-heading"', 1)[1]
    numbers = [cell.split("</td>")[0] for cell in health.split('<td class="num">')[1:]]
    assert numbers == ["2", "1", "1", "<strong>1</strong>"]
    assert "queued 2\xa0hours, 1\xa0minute ago" in html
    assert "user:" not in html


def test_without_mail_waiting_the_console_says_so(client, login, operator):
    login(client, operator)

    html = client.get(URL).content.decode()

    assert "Nothing is waiting to be sent." in html
    assert "There is no campaign yet." in html


def test_the_scheduled_tasks_show_when_beat_last_sent_them(
    client, login, operator, settings, tmp_path
):
    # given beat's own schedule file, in which it sent the outbox's sweep
    from celery.beat import PersistentScheduler

    from streetwave.celery import app

    settings.CELERY_BEAT_SCHEDULE_FILENAME = str(tmp_path / "beat-schedule")
    scheduler = PersistentScheduler(
        app=app, schedule_filename=settings.CELERY_BEAT_SCHEDULE_FILENAME, lazy=True
    )
    scheduler.setup_schedule()
    scheduler.schedule["sweep-outbox"] = scheduler.schedule["sweep-outbox"]._next_instance()
    scheduler.close()
    login(client, operator)

    # when the operator opens the console
    html = client.get(URL).content.decode()

    # then each scheduled task is listed: the sweep with the time beat sent it, the others not yet
    tasks = html.split("Scheduled tasks", 1)[1]
    sweep = tasks.split("sweep-outbox", 1)[1].split("</tr>", 1)[0]
    assert "(UTC" in sweep or "+00:00" in sweep
    assert "erase-expired-personal-data" in tasks and "Not yet" in tasks


def test_without_beat_s_file_the_console_says_where_to_look(
    client, login, operator, settings, tmp_path
):
    settings.CELERY_BEAT_SCHEDULE_FILENAME = str(tmp_path / "nowhere")
    login(client, operator)

    html = client.get(URL).content.decode()

    assert "keeps its record on another machine" in html


def test_the_console_in_persian_reads_right_to_left_with_persian_digits(
    client, login, operator, instance
):
    login(client, operator)

    html = client.get("/fa/manage/instance/").content.decode()

    assert 'dir="rtl"' in html
    open_row = next(row for row in rows_of(html).split("<tr>") if "streets" in row)
    assert "۳" in open_row and "۲" in open_row and "۱" in open_row


def test_the_console_takes_the_same_queries_for_one_or_four_campaigns(
    client, login, operator, make_campaign, make_action, django_assert_max_num_queries
):
    login(client, operator)
    client.get(URL)  # the first request of a session also records the session's use
    counts = []
    for slugs in (["one"], ["two", "three", "four"]):
        for slug in slugs:
            make_action(campaign=make_campaign(slug))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(URL)


def test_the_dashboard_leads_operators_to_the_console(client, login, operator):
    login(client, operator)

    html = client.get("/en/manage/").content.decode()

    assert 'href="/en/manage/instance/"' in html


def test_the_dashboard_of_a_coordinator_has_no_console(client, login, make_coordinator, instance):
    login(client, make_coordinator(instance["open"]))

    html = client.get("/en/manage/").content.decode()

    assert "/manage/instance/" not in html
