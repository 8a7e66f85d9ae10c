import pytest
from django.core import mail

from streetwave.audit.models import AuditEntry
from streetwave.core.errors import NotAllowed
from streetwave.hubs import services
from streetwave.hubs.models import Hub, HubApplication, Invitation, Membership, Vouch

from .conftest import token_in_mail

pytestmark = pytest.mark.django_db


def vouch(proposal, hub, user):
    return services.vouch_for_hub(proposal, voucher_hub=hub, actor=user)


def test_one_vouch_leaves_the_hub_proposed(make_proposal, voucher_hubs):
    proposal = make_proposal()
    (hamburg, organizer), _other = voucher_hubs
    vouch(proposal, hamburg, organizer)
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.PROPOSED and proposal.sponsor is None


def test_two_organizers_of_the_same_hub_do_not_activate_it(
    make_proposal, voucher_hubs, make_member
):
    proposal = make_proposal()
    (hamburg, first), _other = voucher_hubs
    second = make_member(hamburg, Membership.Role.LEAD)
    vouch(proposal, hamburg, first)
    with pytest.raises(services.AlreadyVouched):
        vouch(proposal, hamburg, second)
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.PROPOSED
    assert Vouch.objects.filter(hub=proposal).count() == 1


def test_one_organizer_cannot_vouch_twice_through_two_hubs(
    make_proposal, voucher_hubs, make_member
):
    # given an organizer with a role in two active hubs
    proposal = make_proposal()
    (hamburg, organizer), (cologne, _lead) = voucher_hubs
    make_member(cologne, Membership.Role.ORGANIZER, user=organizer)
    vouch(proposal, hamburg, organizer)
    with pytest.raises(services.AlreadyVouched):
        vouch(proposal, cologne, organizer)
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.PROPOSED


def test_two_vouches_from_two_active_hubs_activate_it_under_the_first_vouchers_hub(
    make_proposal, voucher_hubs, make_hub, django_capture_on_commit_callbacks
):
    # given the first voucher's hub sits one level down a tree
    proposal = make_proposal(email="founder@example.org", language="fa")
    (hamburg, first), (cologne, second) = voucher_hubs
    root = make_hub("Berlin hub")
    hamburg.sponsor = root
    hamburg.path, hamburg.depth = hamburg.tree_path_for(root)
    hamburg.save()

    # when two organizers of two different hubs vouch
    with django_capture_on_commit_callbacks(execute=True):
        vouch(proposal, hamburg, first)
        vouch(proposal, cologne, second)

    # then the hub is active, sponsored by the first voucher's hub
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.ACTIVE and proposal.activated_at is not None
    assert proposal.sponsor == hamburg
    assert proposal.depth == 2
    assert proposal.path == f"{root.public_id}/{hamburg.public_id}/{proposal.public_id}"
    # and each vouch is logged in the voucher's hub, the activation in the new hub
    vouched = AuditEntry.objects.filter(verb="hub.vouched", target_id=proposal.public_id)
    assert sorted(vouched.values_list("hub_id", flat=True)) == sorted(
        [hamburg.public_id, cologne.public_id]
    )
    activated = AuditEntry.objects.get(verb="hub.activated")
    assert activated.hub_id == proposal.public_id and activated.data["via"] == "vouches"
    # and the applicant is invited as the lead, in their language
    invitation = Invitation.objects.get(hub=proposal)
    assert invitation.role == Membership.Role.LEAD and invitation.email == "founder@example.org"
    [message] = mail.outbox
    assert message.to == ["founder@example.org"]
    assert f"/fa/accounts/invitation/{token_in_mail('invitation')}/" in message.body
    # and the application keeps nothing personal
    application = HubApplication.objects.get(hub=proposal)
    assert (application.email, application.motivation) == ("", "")


def test_a_vouch_from_a_hub_suspended_since_does_not_count(make_proposal, voucher_hubs):
    proposal = make_proposal()
    (hamburg, first), (cologne, second) = voucher_hubs
    vouch(proposal, hamburg, first)
    Hub.objects.filter(pk=hamburg.pk).update(status=Hub.Status.SUSPENDED)
    vouch(proposal, cologne, second)
    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.PROPOSED


def test_members_and_organizers_of_inactive_hubs_cannot_vouch(
    make_proposal, make_hub, make_member, make_city
):
    proposal = make_proposal()
    active = make_hub("Active hub")
    member = make_member(active, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        vouch(proposal, active, member)
    suspended = make_hub("Suspended hub", status=Hub.Status.SUSPENDED)
    organizer = make_member(suspended, Membership.Role.ORGANIZER)
    with pytest.raises(services.HubNotActive):
        vouch(proposal, suspended, organizer)
    assert not Vouch.objects.exists()


def test_an_unconfirmed_proposal_cannot_be_vouched_for(voucher_hubs, make_city):
    proposal = services.propose_hub(
        name="Unconfirmed",
        city=make_city("Dresden"),
        languages=[],
        motivation="",
        email="a@example.org",
        language="en",
    )
    (hamburg, organizer), _other = voucher_hubs
    with pytest.raises(services.NotAProposal):
        vouch(proposal, hamburg, organizer)


def test_one_coordinator_approval_activates_a_proposal(
    make_proposal, make_campaign, make_coordinator, make_user, django_capture_on_commit_callbacks
):
    proposal = make_proposal()
    campaign = make_campaign()
    with pytest.raises(NotAllowed):
        services.approve_hub(proposal, campaign=campaign, actor=make_user())

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_hub(proposal, campaign=campaign, actor=make_coordinator(campaign))

    proposal.refresh_from_db()
    assert proposal.status == Hub.Status.ACTIVE
    # nobody vouched, so it starts a tree of its own
    assert (proposal.sponsor, proposal.depth, proposal.path) == (None, 0, proposal.public_id)
    assert AuditEntry.objects.filter(verb="hub.approved", hub_id=proposal.public_id).exists()
    assert Invitation.objects.get(hub=proposal).role == Membership.Role.LEAD
    assert len(mail.outbox) == 1
    with pytest.raises(services.NotAProposal):
        services.approve_hub(proposal, campaign=campaign, actor=make_coordinator(campaign))


def test_after_one_vouch_an_approval_keeps_the_voucher_as_sponsor(
    make_proposal, voucher_hubs, make_campaign, make_coordinator
):
    proposal = make_proposal()
    (hamburg, organizer), _other = voucher_hubs
    vouch(proposal, hamburg, organizer)
    campaign = make_campaign()
    services.approve_hub(proposal, campaign=campaign, actor=make_coordinator(campaign))
    proposal.refresh_from_db()
    assert proposal.sponsor == hamburg and proposal.depth == 1


def test_organizers_vouch_on_the_proposal_page(client, login, make_proposal, voucher_hubs):
    proposal = make_proposal(email="canary-applicant@example.org")
    (hamburg, organizer), _other = voucher_hubs
    login(client, organizer)
    url = f"/en/manage/proposals/{proposal.public_id}/"

    html = client.get(url).content.decode()
    assert "We met at the Augustusplatz vigils." in html
    assert "canary-applicant" not in html

    response = client.post(url, {"voucher_hub": hamburg.public_id})
    assert response.status_code == 302
    assert Vouch.objects.get(hub=proposal).voucher_hub == hamburg
    # vouching again is refused with an explanation
    response = client.post(url, {"voucher_hub": hamburg.public_id})
    assert response.status_code == 409
    assert "already vouched" in response.content.decode()


def test_the_proposal_page_is_404_for_those_who_may_not_vouch(
    client, login, make_proposal, make_hub, make_member, make_campaign, make_coordinator
):
    proposal = make_proposal()
    url = f"/en/manage/proposals/{proposal.public_id}/"
    member = make_member(make_hub(), Membership.Role.MEMBER)
    assert login(client, member).get(url).status_code == 404
    coordinator = make_coordinator(make_campaign())
    assert login(client, coordinator).get(url).status_code == 404


def test_a_member_cannot_vouch_through_a_hub_of_someone_else(
    client, login, make_proposal, voucher_hubs
):
    proposal = make_proposal()
    (_hamburg, organizer), (cologne, _lead) = voucher_hubs
    login(client, organizer)
    response = client.post(
        f"/en/manage/proposals/{proposal.public_id}/", {"voucher_hub": cologne.public_id}
    )
    assert response.status_code == 400
    assert not Vouch.objects.exists()
