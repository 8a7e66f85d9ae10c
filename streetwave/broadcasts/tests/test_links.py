"""Links in broadcasts: only to the site and to the hosts the campaign's coordinators allow
(the check itself is the outbox's, tested in streetwave/outbox/tests/test_links.py). A
message with any other link is refused with a form error that names it, and nothing is saved or
sent; the allowlist is kept on a coordinators' page."""

import pytest
from django.core import mail
from django.utils import translation

from streetwave.audit.models import AuditEntry
from streetwave.broadcasts import services
from streetwave.broadcasts.models import Broadcast
from streetwave.core.errors import NotAllowed
from streetwave.hubs.models import Membership
from streetwave.outbox.models import Delivery

from . import test_broadcasts as broadcasts_fixtures

pytestmark = pytest.mark.django_db

action = broadcasts_fixtures.action
supporter = broadcasts_fixtures.supporter


def test_a_link_that_is_not_allowed_is_a_form_error_and_nothing_is_saved_or_sent(
    client, login, campaign, coordinator, supporter, django_capture_on_commit_callbacks
):
    # Given a supporter who would receive it, and a campaign that allows example.org only
    supporter("fan@example.org")
    campaign.link_allowlist = ["example.org"]
    campaign.save()
    login(client, coordinator)
    mail.outbox = []
    # When a coordinator writes a Persian text with a phishing link
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/manage/campaigns/{campaign.slug}/broadcasts/new/",
            {
                "audience": "supporters",
                "subject_en": "Bring candles",
                "body_en": "Details: https://example.org/day",
                "subject_fa": "شمع بیاورید",
                "body_fa": "تأیید کنید: https://evil.example.net/confirm",
                "zone": "UTC",
            },
        )
    # Then the form says which link, beside the field, and nothing is saved or sent
    html = response.content.decode()
    assert response.status_code == 400
    assert "This link is not allowed: https://evil.example.net/confirm." in html
    field = html.index('name="body_fa"')
    assert html.index("This link is not allowed", field) < html.index("</div>", field)
    assert not Broadcast.objects.exists()
    assert not Delivery.objects.filter(message__kind="broadcast").exists()
    assert mail.outbox == []


def test_the_link_error_names_the_link_and_its_field(campaign, coordinator, supporter):
    supporter("fan@example.org")
    texts = {"en": {"subject": "Hi", "body": "https://evil.example.net"}}

    with translation.override("fa"), pytest.raises(services.LinkNotAllowed) as caught:
        services.create_broadcast(campaign, audience="supporters", texts=texts, actor=coordinator)

    # Marked for translation, with the link as a named placeholder filled in
    assert caught.value.field == "body_en"
    assert "https://evil.example.net" in str(caught.value.message)
    assert "%(links)s" not in str(caught.value.message)


def test_a_link_in_the_subject_is_checked_too(campaign, coordinator, supporter):
    supporter("fan@example.org")
    texts = {"en": {"subject": "Go to evil.example.net", "body": "Hello"}}

    with pytest.raises(services.LinkNotAllowed) as caught:
        services.create_broadcast(campaign, audience="supporters", texts=texts, actor=coordinator)

    assert caught.value.field == "subject_en"


def test_a_coordinator_keeps_the_allowlist_and_links_to_it_pass(
    client, login, campaign, coordinator, supporter, django_capture_on_commit_callbacks
):
    supporter("fan@example.org")
    login(client, coordinator)
    url = f"/en/manage/campaigns/{campaign.slug}/links/"

    response = client.post(
        url, {"hosts": "News.Example.net\nhttps://press.example.com/releases\n\nnews.example.net"}
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.link_allowlist == ["news.example.net", "press.example.com"]
    assert "news.example.net" in client.get(url).content.decode()
    entry = AuditEntry.objects.get(verb="campaign.link_allowlist_changed")
    assert entry.data == {"hosts": 2, "added": 2, "removed": 0}
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = services.create_broadcast(
            campaign,
            audience="supporters",
            texts={"en": {"subject": "Read", "body": "https://news.example.net/today"}},
            actor=coordinator,
        )
    assert broadcast.status == Broadcast.Status.SENT


@pytest.mark.parametrize("entry", ["org", "not a host", "evil.example.net:8080", "a@b.org"])
def test_an_entry_that_is_not_a_host_name_is_refused(client, login, campaign, coordinator, entry):
    campaign.link_allowlist = ["example.org"]
    campaign.save()
    login(client, coordinator)

    response = client.post(f"/en/manage/campaigns/{campaign.slug}/links/", {"hosts": entry})

    assert response.status_code == 400
    assert "is not a host name such as example.org" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.link_allowlist == ["example.org"]


def test_only_the_campaigns_coordinators_keep_its_allowlist(
    campaign, action, make_member, make_campaign, make_coordinator
):
    for outsider in (
        make_member(action.hub, Membership.Role.LEAD),
        make_coordinator(make_campaign("another")),
    ):
        with pytest.raises(NotAllowed):
            services.update_link_allowlist(campaign, hosts=["evil.example.net"], actor=outsider)
    campaign.refresh_from_db()
    assert campaign.link_allowlist == []
