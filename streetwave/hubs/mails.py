"""How the outbox renders mails about hubs. The link token is made at a delivery's first
rendering and lives only in the mail (and, encrypted, on the delivery until it is finished): the
database keeps its hash, a mail sent again carries the same link, and a new mail replaces the
link of the one before.
A recipient row that no longer needs the mail (confirmed, expired, deleted) gets nothing.

- "hub.verification", after a hub is proposed: the applicant's confirmation link.
- "hub.invitation", after an invitation is made (the lead's too, on activation; a campaign's
  coordinator's too): the accept link.
- "hub.coordinator_appointed", to every operator when one invites a coordinator: who appointed
  whom to which campaign, in each operator's language.

Who gets, whatever the kind, a discreet mail that says nothing but its link
(outbox.discretion): the members of hubs in high-risk countries, those invited to one, and
whoever proposed one.
"""

from functools import partial

from streetwave.accounts.high_risk import account_at_risk
from streetwave.accounts.models import User
from streetwave.campaigns.risk import high_risk_hub_q
from streetwave.core.mail import absolute_url, render_mail
from streetwave.outbox.channels import Envelope
from streetwave.outbox.discretion import discreet_recipients
from streetwave.outbox.services import delivery_secret, recipient_ids, renderer

from .models import Hub, HubApplication, Invitation
from .permissions import holders
from .services import issue_link_token


@renderer("hub.verification")
def render_verification(message, deliveries):
    wanted = recipient_ids(deliveries, "application")
    by_id = {delivery.pk: delivery for delivery in deliveries}
    applications = (
        HubApplication.objects.select_related("hub", "hub__city")
        .filter(pk__in=wanted.values(), verified_at__isnull=True, hub__status=Hub.Status.PROPOSED)
        .in_bulk()
    )
    envelopes = {}
    for pk, application_id in wanted.items():
        application = applications.get(application_id)
        if application is None or application.is_expired() or not application.email:
            continue
        token = delivery_secret(by_id[pk], partial(issue_link_token, application))
        mail = render_mail(
            "hubs/mail/verify",
            {
                "hub": application.hub,
                "verify_url": absolute_url("hubs:verify", token, language=application.language),
                "expires_at": application.expires_at,
            },
            language=application.language,
        )
        envelopes[pk] = Envelope(to=application.email, mail=mail)
    return envelopes


@renderer("hub.invitation")
def render_invitation(message, deliveries):
    wanted = recipient_ids(deliveries, "invitation")
    by_id = {delivery.pk: delivery for delivery in deliveries}
    invitations = (
        Invitation.objects.select_related("hub", "hub__city", "campaign")
        .filter(pk__in=wanted.values())
        .in_bulk()
    )
    envelopes = {}
    for pk, invitation_id in wanted.items():
        invitation = invitations.get(invitation_id)
        if invitation is None or not invitation.is_open() or not invitation.email:
            continue
        token = delivery_secret(by_id[pk], partial(issue_link_token, invitation))
        mail = render_mail(
            "hubs/mail/coordinator_invitation"
            if invitation.is_to_campaign
            else "hubs/mail/invitation",
            {
                "invitation": invitation,
                "hub": invitation.hub,
                "campaign_title": invitation.campaign.text(invitation.language)["title"]
                if invitation.campaign
                else "",
                # The accept page belongs to accounts: sign-up by invitation, second factor first.
                "accept_url": absolute_url(
                    "accounts:invitation", token, language=invitation.language
                ),
            },
            language=invitation.language,
        )
        envelopes[pk] = Envelope(to=invitation.email, mail=mail)
    return envelopes


@renderer("hub.coordinator_appointed")
def render_coordinator_appointed(message, deliveries):
    invitation = (
        Invitation.objects.select_related("campaign", "invited_by", "used_by")
        .filter(pk=message.data.get("invitation"))
        .first()
    )
    if invitation is None or invitation.campaign is None:
        return {}
    campaign = invitation.campaign
    # Only operators, looked up again: an account that is no operator any more gets nothing.
    operators = holders("can_appoint_coordinator", campaign).in_bulk()
    # The address the invitation went to; once used, the account that took it.
    invited = invitation.email or (invitation.used_by.email if invitation.used_by else "")
    envelopes = {}
    for pk, user_id in recipient_ids(deliveries, "user").items():
        operator = operators.get(user_id)
        if operator is None:
            continue
        mail = render_mail(
            "hubs/mail/coordinator_appointed",
            {
                "campaign_title": campaign.text(operator.language)["title"],
                "invited": invited,
                "appointed_by": str(invitation.invited_by) if invitation.invited_by else "",
                "appointed_at": invitation.created_at,
                "coordinators_url": absolute_url(
                    "hubs:manage_coordinators", campaign.slug, language=operator.language
                ),
            },
            language=operator.language,
        )
        envelopes[pk] = Envelope(to=operator.email, mail=mail)
    return envelopes


@discreet_recipients("user")
def members_at_risk(user_ids: list[int]) -> dict[int, str]:
    return dict(
        User.objects.filter(account_at_risk("pk"), pk__in=user_ids).values_list("pk", "language")
    )


@discreet_recipients("invitation")
def invited_at_risk(invitation_ids: list[int]) -> dict[int, str]:
    return dict(
        Invitation.objects.filter(high_risk_hub_q("hub__"), pk__in=invitation_ids).values_list(
            "pk", "language"
        )
    )


@discreet_recipients("application")
def applicants_at_risk(application_ids: list[int]) -> dict[int, str]:
    return dict(
        HubApplication.objects.filter(high_risk_hub_q("hub__"), pk__in=application_ids).values_list(
            "pk", "language"
        )
    )
