"""Mail to people at risk (members of hubs in high-risk countries, those invited to one, whoever
proposed one) says nothing but its link, whatever its kind (outbox.discretion)."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from streetwave.accounts.models import User
from streetwave.accounts.services import start_session
from streetwave.broadcasts import services as broadcasts
from streetwave.broadcasts.models import Broadcast
from streetwave.core.mail import Mail
from streetwave.hubs import services as hubs
from streetwave.hubs.models import Invitation, Membership
from streetwave.outbox.channels import Envelope
from streetwave.outbox.discretion import DISCREET_KINDS
from streetwave.outbox.services import RENDERERS, queue_message, recipient
from streetwave.places.models import Country

pytestmark = pytest.mark.django_db

# What no discreet mail may contain: the hub, its city, an action, a person.
SECRETS = ("Tehran", "تهران", "Vigil at Azadi Square", "Leila Canary")
DISCREET_TEXT = "Something needs you on Streetwave"


@pytest.fixture
def tehran(make_city):
    return make_city(
        "Tehran", country="IR", timezone="Asia/Tehran", lat=35.69, lon=51.39, name_fa="تهران"
    )


@pytest.fixture
def inside(make_hub, tehran):
    """The Tehran hub, Iran being high-risk for the whole instance."""
    hub = make_hub("Tehran hub", city=tehran)
    Country.objects.filter(code="IR").update(high_risk=True)
    return hub


def mail_to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def assert_discreet(message, *, link=None, language="en"):
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        for secret in SECRETS:
            assert secret not in text
    with translation.override(language):
        assert message.subject == gettext(DISCREET_TEXT)
    assert message.attachments == []
    links = [word for word in message.body.split() if "://" in word]
    assert links == ([link] if link else [])


def revealing_renderer(message, deliveries):
    """A mail kind as any could be written: it names the hub, its city, an action and a
    person, links to two pages and attaches a calendar file."""
    addresses = {
        **{f"user:{user.pk}": user.email for user in User.objects.all()},
        **{f"invitation:{row.pk}": row.email for row in Invitation.objects.all()},
    }
    text = (
        "Leila Canary of the Tehran hub planned Vigil at Azadi Square: "
        f"{settings.SITE_URL}/en/manage/ then {settings.SITE_URL}/en/manage/hubs/x/\n"
    )
    return {
        delivery.pk: Envelope(
            to=addresses[delivery.recipient],
            mail=Mail(subject="Tehran hub: Vigil at Azadi Square", text=text, html=text),
            attachments=(("action.ics", b"SUMMARY:Vigil at Azadi Square", "text/calendar"),),
        )
        for delivery in deliveries
    }


@pytest.mark.parametrize("kind", sorted(set(RENDERERS) - DISCREET_KINDS))
def test_every_mail_kind_reaches_people_at_risk_as_its_last_link_only(
    kind, monkeypatch, inside, hub, make_member, django_capture_on_commit_callbacks
):
    # Given a member of the Tehran hub (reading Persian), a member of a hub abroad, and someone
    # invited to the Tehran hub, each sent a mail of `kind` that names everything.
    member = make_member(inside, Membership.Role.LEAD)
    member.language = "fa"
    member.save(update_fields=["language"])
    abroad = make_member(hub, Membership.Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = hubs.invite_organizer(
            inside, email="invited@example.org", role=Membership.Role.ORGANIZER, actor=member
        )
    mail.outbox.clear()
    monkeypatch.setitem(RENDERERS, kind, revealing_renderer)

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind,
            [
                recipient("user", member.pk),
                recipient("user", abroad.pk),
                recipient("invitation", invitation.pk),
            ],
        )

    # Then those at risk get the discreet mail, in their language, with the mail's last link.
    link = f"{settings.SITE_URL}/en/manage/hubs/x/"
    persian = mail_to(member.email)
    assert '<html lang="fa" dir="rtl">' in persian.alternatives[0][0]
    assert_discreet(persian, link=link, language="fa")
    assert_discreet(mail_to("invited@example.org"), link=link, language=invitation.language)
    # And the member abroad gets the mail as written.
    assert mail_to(abroad.email).subject == "Tehran hub: Vigil at Azadi Square"


def test_only_the_sign_in_notice_is_sent_as_rendered_and_it_names_no_hub(
    make_member, inside, django_capture_on_commit_callbacks
):
    # A kind is trusted to name no hub only once it was read: this set changes with a review.
    assert {"account.sign_in"} == DISCREET_KINDS
    member = make_member(inside, Membership.Role.LEAD)
    request = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Firefox/128.0")
    request.session = SessionStore()
    request.session.create()
    request.user = member

    with django_capture_on_commit_callbacks(execute=True):
        start_session(request, member)

    message = mail_to(member.email)
    assert "New sign-in" in message.subject and "Firefox" in message.body
    for secret in (*SECRETS, "Tehran hub"):
        assert secret not in message.subject + message.body


def test_an_invitation_to_a_high_risk_hub_is_discreet_and_its_link_works(
    client, inside, make_member, django_capture_on_commit_callbacks
):
    lead = make_member(inside, Membership.Role.LEAD)

    with django_capture_on_commit_callbacks(execute=True):
        hubs.invite_organizer(
            inside, email="new@example.org", role=Membership.Role.ORGANIZER, actor=lead
        )

    message = mail_to("new@example.org")
    [link] = [word for word in message.body.split() if "/accounts/invitation/" in word]
    assert_discreet(message, link=link)
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_a_proposal_in_a_high_risk_city_is_confirmed_by_a_discreet_mail(
    tehran, django_capture_on_commit_callbacks
):
    Country.objects.filter(code="IR").update(high_risk=True)

    with django_capture_on_commit_callbacks(execute=True):
        hubs.propose_hub(
            name="Tehran hub",
            city=tehran,
            languages=["fa"],
            motivation="Leila Canary and friends",
            email="applicant@example.org",
            language="en",
        )

    message = mail_to("applicant@example.org")
    [link] = [word for word in message.body.split() if "/hubs/start/verify/" in word]
    assert_discreet(message, link=link)


def test_a_broadcast_reaches_a_high_risk_hubs_lead_as_its_link_only(
    campaign, coordinator, inside, hub, make_member, django_capture_on_commit_callbacks
):
    # Given the Tehran hub and a hub abroad, both in the campaign.
    inside_lead = make_member(inside, Membership.Role.LEAD)
    abroad_lead = make_member(hub, Membership.Role.LEAD)
    for one, lead in ((inside, inside_lead), (hub, abroad_lead)):
        hubs.answer_call(one, campaign=campaign, actor=lead)

    # When the coordinators write to the hubs.
    texts = {"en": {"subject": "Bring candles", "body": "Vigil at Azadi Square at nine."}}
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts.create_broadcast(
            campaign, audience=Broadcast.Audience.HUBS, texts=texts, actor=coordinator
        )

    # Then the Tehran hub's lead gets the link to confirm reading it, and nothing more.
    message = mail_to(inside_lead.email)
    [link] = [word for word in message.body.split() if "/manage/" in word]
    assert_discreet(message, link=link)
    assert "Bring candles" in mail_to(abroad_lead.email).body
