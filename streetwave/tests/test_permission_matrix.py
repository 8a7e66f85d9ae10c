"""Every URL of the project against every role (DESIGN.md, house rule 6; issue 4).

ROWS holds one row per URL name of the resolver: how to build its path from the world and what
each role gets. What a role may not see is a 404, byte for byte the 404 of a missing object;
anonymous visitors of organizer pages are sent to sign in; nothing answers 500. A URL name the
resolver has and ROWS lacks fails `test_every_url_has_a_row`: a new page needs a row.

Outcomes: "ok" is a 2xx or a redirect that is not to the sign-in or second-factor pages,
"login" a redirect to sign in, "reauthenticate" a redirect to confirming one's password or
factor again, "404" and "405" those statuses. Buttons (POST-only URLs) are tested with POST,
and once more with GET, which they answer 405 whoever asks.

The world (conftest.py) is built once per module; POSTs run in a savepoint that is rolled back,
so each case starts from the same world. Only "no 500" and the outcome are asserted of them.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from streetwave.core.testing import without_csrf_tokens

from .conftest import ROLES

pytestmark = pytest.mark.django_db

OK, LOGIN, REAUTHENTICATE, NOT_FOUND, NOT_ALLOWED = "ok", "login", "reauthenticate", "404", "405"
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
HUB_PEOPLE_A = frozenset({"member_a", "safety_lead_a", "organizer_a", "lead_a"})
# can_view_attendees, can_message_attendees, can_approve_relay_message
ATTENDEE_VIEWERS_A = frozenset({"safety_lead_a", "organizer_a", "lead_a"})
# can_create/edit/publish/cancel_action, can_confirm_late_change, can_request/approve_export
ORGANIZERS_A = frozenset({"organizer_a", "lead_a"})
# can_acknowledge_broadcast
BROADCAST_READERS_A = frozenset({"safety_lead_a", "organizer_a", "lead_a"})
# can_vouch_hub in some active hub
VOUCHERS = frozenset({"organizer_a", "lead_a", "organizer_b"})
COORDINATOR = frozenset({"coordinator"})

# A token nobody was ever given: token URLs answer it with 404, to everyone.
BOGUS_TOKEN = "bogus-token-Rj0Qm3v7yWl2NcKx8sTq5ZbHdFu1GeAo9iPa4XnCk6E"
# An integer key of no object (allauth's security-key pages).
BOGUS_PK = "987654321"


def everyone(outcome: str = OK) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in() -> dict[str, str]:
    """Pages about one's own account: anonymous visitors sign in first."""
    return {role: LOGIN if role == "anonymous" else OK for role in ROLES}


def behind_reauthentication() -> dict[str, str]:
    """Second-factor settings: allauth asks for the password or a factor again first (a fresh
    sign-in does not count), so a stolen session cannot swap the factor."""
    return {role: LOGIN if role == "anonymous" else REAUTHENTICATE for role in ROLES}


def organizers(allowed: frozenset[str]) -> dict[str, str]:
    """An organizer page: sign in first, then `allowed` may use it and everyone else gets 404."""
    return {
        role: LOGIN if role == "anonymous" else OK if role in allowed else NOT_FOUND
        for role in ROLES
    }


@dataclass(frozen=True)
class Row:
    expect: dict[str, str]
    # URL keyword -> key of world.ids (an object of the world), or a literal after "=".
    kwargs: dict[str, str] = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    # A JSON body (the API) instead of a form.
    json: bool = False
    # For a path the resolver builds no name for (unnamed patterns).
    path: str = ""


RSVP_FORM = {"pseudonym": "", "email": "", "language": "en", "consent": "on"}
# The public pages of a draft campaign: a preview for the operators, a 404 for everyone else.
PREVIEWERS = {role: OK if role == "operator" else NOT_FOUND for role in ROLES}
CAMPAIGN = {"slug": "campaign"}

ROWS: dict[str, Row] = {
    # Health check for load balancers
    "healthz": Row(everyone()),
    # Public pages: events are public
    "campaigns:home": Row(everyone()),
    "campaigns:city_labels": Row(everyone()),
    "campaigns:detail": Row(everyone(), CAMPAIGN),
    "campaigns:tally": Row(everyone(), CAMPAIGN),
    "campaigns:map": Row(everyone(), CAMPAIGN),
    "campaigns:map_data": Row(everyone(), CAMPAIGN),
    "campaigns:places": Row(everyone(), {**CAMPAIGN, "country": "=de"}),
    "campaigns:wave": Row(everyone(), CAMPAIGN),
    "campaigns:wave_fragment": Row(everyone(), CAMPAIGN),
    "campaigns:calendar": Row(everyone(), CAMPAIGN),
    "campaigns:inside": Row(everyone(), CAMPAIGN),
    # The inside page as one file to pass on: as anyone sees it, whoever saves it
    "campaigns:inside_save": Row(everyone(), CAMPAIGN),
    "core:about": Row(everyone()),
    # The gazetteer (public GeoNames data) for the place picker
    "places:cities": Row(everyone()),
    "hubs:detail": Row(everyone(), {"public_id": "hub_a"}),
    "hubs:calendar": Row(everyone(), {"public_id": "hub_a"}),
    "hubs:start": Row(everyone()),
    "actions:detail": Row(everyone(), {"public_id": "action"}),
    "actions:save": Row(everyone(), {"public_id": "action"}),
    "actions:calendar": Row(everyone(), {"public_id": "action"}),
    "actions:rsvp": Row(everyone(), {"public_id": "action"}, "post", RSVP_FORM),
    "actions:rsvp_sent": Row(everyone(), {"public_id": "action"}),
    "actions:find_rsvps": Row(everyone()),
    "actions:rsvp_erased": Row(everyone()),
    # Secret links: whoever holds the token; a token nobody holds is a 404 for everyone
    "actions:manage": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "actions:rsvp_cancel": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "actions:rsvp_erase": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "actions:rsvp_data": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "actions:rsvp_data_json": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "hubs:verify": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "accounts:invitation": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    # The JSON API: public data only, no accounts
    "api-v1:api-root": Row(everyone(NOT_FOUND)),
    "api-v1:openapi-json": Row(everyone()),
    "api-v1:openapi-view": Row(everyone()),
    "api-v1:list_campaigns": Row(everyone()),
    "api-v1:get_campaign": Row(everyone(), CAMPAIGN),
    "api-v1:get_campaign_tally": Row(everyone(), CAMPAIGN),
    "api-v1:list_actions": Row(everyone()),
    "api-v1:get_action": Row(everyone(), {"action_id": "action"}),
    "api-v1:create_rsvp": Row(
        everyone(), {"action_id": "action"}, "post", {"language": "en", "consent": True}, json=True
    ),
    "api-v1:list_hubs": Row(everyone()),
    "api-v1:get_hub": Row(everyone(), {"hub_id": "hub_a"}),
    # Anything else under /api/v1/ is the API's JSON 404
    "[api/v1/]": Row(everyone(NOT_FOUND), path="/api/v1/no/such/thing"),
    # One's own account (allauth and accounts)
    "accounts:sessions": Row(signed_in()),
    "accounts:data": Row(signed_in()),
    # Signed in already, the sign-in and sign-up pages send one on to the dashboard
    "account_login": Row(everyone()),
    "account_signup": Row(everyone()),
    "account_logout": Row(everyone()),
    "account_inactive": Row(everyone()),
    "account_reset_password": Row(everyone()),
    "account_password_reset_completed": Row(everyone()),
    "account_complete_password_reset": Row(everyone()),
    # Steps of a flow (sign-in, address check, reset) with no flow under way: to signing in
    "account_email_verification_sent": Row(signed_in()),
    "account_confirm_login_code": Row(signed_in()),
    "account_confirm_password_reset_code": Row(everyone(LOGIN)),
    "account_change_password": Row(signed_in()),
    "account_set_password": Row(signed_in()),
    "account_email": Row(signed_in()),
    "account_reauthenticate": Row(signed_in()),
    # Re-authentication by a mailed code is switched off (ACCOUNT_REAUTHENTICATION_METHODS):
    # accounts/urls.py shadows allauth's routes so a page nobody may use is a 404
    "account_request_reauthentication_code": Row(everyone(NOT_FOUND)),
    "account_confirm_reauthentication_code": Row(everyone(NOT_FOUND)),
    "[en/accounts/reauthenticate/code/]": Row(
        everyone(NOT_FOUND), path="/en/accounts/reauthenticate/code/"
    ),
    "[en/accounts/reauthenticate/code/confirm/]": Row(
        everyone(NOT_FOUND), path="/en/accounts/reauthenticate/code/confirm/"
    ),
    "mfa_index": Row(signed_in()),
    "mfa_list_webauthn": Row(signed_in()),
    "mfa_reauthenticate": Row(signed_in()),
    "mfa_activate_totp": Row(behind_reauthentication()),
    "mfa_deactivate_totp": Row(behind_reauthentication()),
    "mfa_add_webauthn": Row(behind_reauthentication()),
    # Before any lookup of the key, so the answer is the same for a key that is not one's own
    "mfa_edit_webauthn": Row(behind_reauthentication(), {"pk": "=" + BOGUS_PK}),
    "mfa_remove_webauthn": Row(behind_reauthentication(), {"pk": "=" + BOGUS_PK}),
    "mfa_view_recovery_codes": Row(behind_reauthentication()),
    "mfa_generate_recovery_codes": Row(behind_reauthentication()),
    "mfa_download_recovery_codes": Row(behind_reauthentication()),
    "mfa_reauthenticate_webauthn": Row(behind_reauthentication()),
    # The second step of signing in, with no sign-in under way
    "mfa_authenticate": Row(signed_in()),
    "mfa_login_webauthn": Row(signed_in()),
    # The operator's console (can_run_instance): operators only, not coordinators
    "campaigns:instance": Row(organizers(frozenset({"operator"}))),
    "campaigns:instance_high_risk": Row(organizers(frozenset({"operator"}))),
    # Organizer pages of hubs (docs/permissions.md, "Pages of the hubs app")
    "hubs:dashboard": Row(signed_in()),
    # GET asks; the POST needs the password or a second factor again (allauth)
    "hubs:close_account": Row(signed_in()),
    "hubs:manage_hub": Row(organizers(HUB_PEOPLE_A), {"public_id": "hub_a"}),
    "hubs:invite": Row(
        organizers(frozenset({"lead_a"})),
        {"public_id": "hub_a"},
        "post",
        {"email": "new-organizer@example.org", "role": "organizer", "language": "en"},
    ),
    "hubs:remove_member": Row(
        organizers(frozenset({"lead_a"})),
        {"public_id": "hub_a", "user_public_id": "member_a"},
        "post",
    ),
    "hubs:proposal": Row(organizers(VOUCHERS), {"public_id": "proposal"}),
    "hubs:tree": Row(organizers(COORDINATOR), CAMPAIGN),
    "hubs:approve": Row(organizers(COORDINATOR), {**CAMPAIGN, "public_id": "proposal"}, "post"),
    # A hub answers a campaign's call (hub A answered when it planned: the button says so)
    "hubs:answer_call": Row(organizers(ORGANIZERS_A), {"public_id": "hub_a", **CAMPAIGN}, "post"),
    # The coordinators' view of the hubs that answered, accepting an answer, founding a hub
    "hubs:manage_answers": Row(organizers(COORDINATOR), CAMPAIGN),
    "hubs:accept_answer": Row(organizers(COORDINATOR), {**CAMPAIGN, "public_id": "hub_a"}, "post"),
    "hubs:manage_founding_hub": Row(organizers(COORDINATOR), CAMPAIGN),
    # The campaign's coordinators: the operators appoint and remove them
    "hubs:manage_coordinators": Row(organizers(frozenset({"operator"})), CAMPAIGN),
    "hubs:remove_coordinator": Row(
        organizers(frozenset({"operator"})),
        {**CAMPAIGN, "user_public_id": "coordinator"},
        "post",
    ),
    # Organizer pages of actions (docs/permissions.md, "Pages of the actions app")
    "actions:manage_hub_actions": Row(organizers(ORGANIZERS_A), {"hub_id": "hub_a"}),
    "actions:manage_create": Row(organizers(ORGANIZERS_A), {"hub_id": "hub_a"}),
    "actions:manage_overview": Row(organizers(ORGANIZERS_A), {"action_id": "action"}),
    "actions:manage_edit": Row(organizers(ORGANIZERS_A), {"action_id": "action"}),
    "actions:manage_publish": Row(organizers(ORGANIZERS_A), {"action_id": "draft"}, "post"),
    # The public page of a draft, as it will look: the hub's organizers only
    "actions:manage_preview": Row(organizers(ORGANIZERS_A), {"action_id": "draft"}),
    "actions:manage_duplicate": Row(organizers(ORGANIZERS_A), {"action_id": "action"}, "post"),
    "actions:manage_cancel": Row(organizers(ORGANIZERS_A), {"action_id": "action"}),
    "actions:manage_change_confirm": Row(organizers(ORGANIZERS_A), {"change_id": "change"}, "post"),
    "actions:manage_change_withdraw": Row(
        organizers(ORGANIZERS_A), {"change_id": "change"}, "post"
    ),
    "actions:manage_attendees": Row(organizers(ATTENDEE_VIEWERS_A), {"action_id": "action"}),
    "actions:manage_messages": Row(organizers(ATTENDEE_VIEWERS_A), {"action_id": "action"}),
    # can_send_emergency_notice: the same people as the relay
    "actions:manage_emergency": Row(organizers(ATTENDEE_VIEWERS_A), {"action_id": "action"}),
    "actions:manage_message_approve": Row(
        organizers(ATTENDEE_VIEWERS_A), {"message_id": "message"}, "post"
    ),
    "actions:manage_export_request": Row(organizers(ORGANIZERS_A), {"action_id": "action"}, "post"),
    "actions:manage_export_approve": Row(organizers(ORGANIZERS_A), {"export_id": "export"}, "post"),
    # Only the organizer who asked for it; not even the lead who approved it.
    "actions:manage_export_download": Row(
        organizers(frozenset({"organizer_a"})), {"export_id": "ready_export"}
    ),
    # Coordinators: campaign pages, never people
    "actions:manage_approvals": Row(organizers(COORDINATOR), CAMPAIGN),
    "actions:manage_approve": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "action_id": "pending"}, "post"
    ),
    "actions:manage_reject": Row(
        organizers(COORDINATOR),
        {**CAMPAIGN, "action_id": "pending"},
        "post",
        {"{pending}-reason": "Please name the square."},
    ),
    "actions:manage_counts": Row(organizers(COORDINATOR), CAMPAIGN),
    # The campaign's console: operators create campaigns; the campaign's coordinators and the
    # operators edit it and change its state (a confirmation page, then a POST)
    "campaigns:manage_create": Row(organizers(frozenset({"operator"}))),
    "campaigns:manage_settings": Row(organizers(COORDINATOR | {"operator"}), CAMPAIGN),
    "campaigns:manage_state": Row(organizers(COORDINATOR | {"operator"}), CAMPAIGN),
    "campaigns:manage_high_risk": Row(organizers(COORDINATOR | {"operator"}), CAMPAIGN),
    # Broadcasts (docs/broadcasts.md): the campaign's coordinators write, approve and follow
    # them (the author's own approval is refused with a message); the leads and organizers of
    # a hub taking part read and confirm them; whoever holds a supporter's link stops the news
    "broadcasts:manage_list": Row(organizers(COORDINATOR), CAMPAIGN),
    "broadcasts:manage_compose": Row(organizers(COORDINATOR), CAMPAIGN),
    "broadcasts:manage_detail": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "broadcast_id": "hub_broadcast"}
    ),
    "broadcasts:manage_approve": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "broadcast_id": "held_broadcast"}, "post"
    ),
    "broadcasts:manage_cancel": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "broadcast_id": "scheduled_broadcast"}, "post"
    ),
    "broadcasts:manage_links": Row(organizers(COORDINATOR), CAMPAIGN),
    # can_acknowledge_broadcast: the hub's leads, organizers and safety leads
    "broadcasts:hub_list": Row(organizers(BROADCAST_READERS_A), {"hub_id": "hub_a"}),
    "broadcasts:hub_detail": Row(
        organizers(BROADCAST_READERS_A), {"hub_id": "hub_a", "broadcast_id": "hub_broadcast"}
    ),
    "broadcasts:acknowledge": Row(
        organizers(BROADCAST_READERS_A),
        {"hub_id": "hub_a", "broadcast_id": "hub_broadcast"},
        "post",
    ),
    "broadcasts:unsubscribe": Row(everyone(), {"token": "unsubscribe_token"}),
    "broadcasts:confirm_news": Row(everyone(), {"token": "news_token"}),
    # Moderation (docs/architecture.md): anyone reports an action; the campaign's coordinators
    # work through the queue, take actions down and suspend the hubs that answered its call (a
    # takedown that tells many waits for a second coordinator: its requester's approval is
    # refused with a message); a hub lead flags another hub
    "moderation:report": Row(everyone(), {"public_id": "action"}),
    "moderation:report_sent": Row(everyone(), {"public_id": "action"}),
    "moderation:flag": Row(organizers(frozenset({"lead_a"})), {"public_id": "hub_b"}),
    "moderation:queue": Row(organizers(COORDINATOR), CAMPAIGN),
    "moderation:report_handled": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "report_id": "report"}, "post"
    ),
    "moderation:take_down": Row(organizers(COORDINATOR), {**CAMPAIGN, "action_id": "action"}),
    "moderation:suspend": Row(organizers(COORDINATOR), {**CAMPAIGN, "hub_id": "hub_a"}),
    "moderation:reinstate": Row(organizers(COORDINATOR), {**CAMPAIGN, "hub_id": "hub_a"}, "post"),
    "moderation:takedown_approve": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "takedown_id": "takedown"}, "post"
    ),
    "moderation:takedown_withdraw": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "takedown_id": "takedown"}, "post"
    ),
    "moderation:flag_handled": Row(
        organizers(COORDINATOR), {**CAMPAIGN, "flag_id": "flag"}, "post"
    ),
    # Report-backs (docs/permissions.md): public once verified; the hub's organizers file them,
    # a second person (another organizer or lead of the hub, the sponsoring hub's lead, a
    # coordinator of the campaign) verifies or withdraws them; "I was there" from a supporter's
    # own link
    "reportbacks:report": Row(everyone(), {"public_id": "reported"}),
    "reportbacks:wall": Row(everyone(), CAMPAIGN),
    # (a POST says it; a GET goes back to the link's page; test_secret_links tries both)
    "reportbacks:i_was_there": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "reportbacks:manage": Row(organizers(ORGANIZERS_A | COORDINATOR), {"action_id": "ended"}),
    "reportbacks:manage_afterwards": Row(organizers(ORGANIZERS_A), {"hub_id": "hub_a"}),
    "reportbacks:manage_verify": Row(
        organizers(ORGANIZERS_A | COORDINATOR), {"report_back_id": "held_report"}
    ),
    "reportbacks:manage_verify_post": Row(
        organizers(ORGANIZERS_A | COORDINATOR), {"report_back_id": "held_report"}, "post"
    ),
    "reportbacks:manage_withdraw": Row(
        organizers(ORGANIZERS_A | COORDINATOR), {"report_back_id": "held_report"}, "post"
    ),
    # Photos: the file of a public report-back's photo is public; the photos page is the
    # report-back's pages' (uploading and covering need can_file_report_back, a POST by a
    # coordinator is a 404; taking down needs can_moderate, refused on the next page otherwise)
    "reportbacks:photo_file": Row(everyone(), {"photo_id": "public_photo"}),
    "reportbacks:photo_small_file": Row(everyone(), {"photo_id": "public_photo"}),
    "reportbacks:manage_photos": Row(
        organizers(ORGANIZERS_A | COORDINATOR), {"report_back_id": "held_report"}
    ),
    "reportbacks:manage_photo_mask": Row(
        organizers(ORGANIZERS_A), {"photo_id": "held_photo"}, "post", {"regions": "10 10 20 20"}
    ),
    "reportbacks:manage_photo_take_down": Row(
        organizers(ORGANIZERS_A | COORDINATOR), {"photo_id": "held_photo"}, "post"
    ),
    # can_view_attendees: an organizer marks an RSVP as there (check-in by pseudonym)
    "reportbacks:manage_check_in": Row(
        organizers(ATTENDEE_VIEWERS_A), {"rsvp_id": "ended_rsvp"}, "post"
    ),
    # Safety roles (docs/permissions.md, can_manage_safety_roles: the hub's leads, organizers
    # and safety leads, who see offers by pseudonym only); know-your-rights cards
    # (can_write_rights_cards: the campaign's coordinators); a supporter's offer from their link
    "safety:manage_roles": Row(organizers(ATTENDEE_VIEWERS_A), {"action_id": "action"}),
    "safety:take_role": Row(
        organizers(ATTENDEE_VIEWERS_A), {"action_id": "action"}, "post", {"kind": "marshal"}
    ),
    "safety:confirm_role": Row(organizers(ATTENDEE_VIEWERS_A), {"role_id": "safety_role"}, "post"),
    "safety:decline_role": Row(organizers(ATTENDEE_VIEWERS_A), {"role_id": "safety_role"}, "post"),
    "safety:manage_rights": Row(organizers(COORDINATOR), CAMPAIGN),
    "safety:offer_roles": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    # Incidents (docs/permissions.md): anyone reports one from the public form (the rally has
    # not started: the form says so), a supporter from their link; the hub's people report from
    # the action's pages (can_report_incident) and its organizers, safety lead and the
    # campaign's coordinators handle them (can_handle_incident); the safety desk is the
    # coordinators' (can_view_safety_desk)
    "safety:report": Row(everyone(), {"public_id": "action"}),
    "safety:report_sent": Row(everyone(), {"public_id": "action"}),
    "safety:rsvp_incident": Row(everyone(NOT_FOUND), {"token": "=" + BOGUS_TOKEN}),
    "safety:action_incidents": Row(organizers(HUB_PEOPLE_A | COORDINATOR), {"action_id": "action"}),
    "safety:incident": Row(
        organizers(ATTENDEE_VIEWERS_A | COORDINATOR), {"incident_id": "incident"}
    ),
    # The incident's photo: for those who handle the incident only, as its page
    "safety:incident_photo": Row(
        organizers(ATTENDEE_VIEWERS_A | COORDINATOR), {"incident_id": "incident"}
    ),
    "safety:add_note": Row(
        organizers(ATTENDEE_VIEWERS_A | COORDINATOR),
        {"incident_id": "incident"},
        "post",
        {"text": "Marshals sent."},
    ),
    "safety:acknowledge": Row(
        organizers(ATTENDEE_VIEWERS_A | COORDINATOR), {"incident_id": "incident"}, "post"
    ),
    "safety:resolve": Row(
        organizers(ATTENDEE_VIEWERS_A | COORDINATOR), {"incident_id": "incident"}, "post"
    ),
    "safety:desk": Row(organizers(COORDINATOR), CAMPAIGN),
    "safety:desk_live": Row(organizers(COORDINATOR), CAMPAIGN),
    "api-v1:list_report_backs": Row(everyone(), data={"campaign": "streets"}),
    "api-v1:get_report_back": Row(everyone(), {"action_id": "reported"}),
    # The admin: one row for its index; test_every_admin_url_sends_non_staff_to_sign_in covers
    # the rest
    "admin:index": Row(everyone(LOGIN)),
}

# The same URLs on other objects of the world: what is not public is a 404 on public pages and
# in the API, and another hub's organizer reaches their own hub (the mirror image of the 404s).
EXTRA_ROWS: dict[tuple[str, str], Row] = {
    ("actions:detail", "draft"): Row(everyone(NOT_FOUND), {"public_id": "draft"}),
    ("actions:save", "draft"): Row(everyone(NOT_FOUND), {"public_id": "draft"}),
    ("actions:detail", "awaiting approval"): Row(everyone(NOT_FOUND), {"public_id": "pending"}),
    ("actions:calendar", "draft"): Row(everyone(NOT_FOUND), {"public_id": "draft"}),
    ("actions:rsvp", "draft"): Row(everyone(NOT_FOUND), {"public_id": "draft"}, "post", RSVP_FORM),
    ("actions:rsvp_sent", "draft"): Row(everyone(NOT_FOUND), {"public_id": "draft"}),
    ("api-v1:get_action", "draft"): Row(everyone(NOT_FOUND), {"action_id": "draft"}),
    ("api-v1:create_rsvp", "draft"): Row(
        everyone(NOT_FOUND),
        {"action_id": "draft"},
        "post",
        {"language": "en", "consent": True},
        json=True,
    ),
    ("hubs:detail", "proposal"): Row(everyone(NOT_FOUND), {"public_id": "proposal"}),
    # No verified report-back yet (one is held): nothing public
    ("reportbacks:report", "held only"): Row(everyone(NOT_FOUND), {"public_id": "ended"}),
    ("api-v1:get_report_back", "held only"): Row(everyone(NOT_FOUND), {"action_id": "ended"}),
    ("reportbacks:photo_file", "held report-back"): Row(
        {**everyone(NOT_FOUND), **dict.fromkeys(ORGANIZERS_A | COORDINATOR, OK)},
        {"photo_id": "held_photo"},
    ),
    ("reportbacks:photo_small_file", "held report-back"): Row(
        {**everyone(NOT_FOUND), **dict.fromkeys(ORGANIZERS_A | COORDINATOR, OK)},
        {"photo_id": "held_photo"},
    ),
    ("reportbacks:wall", "draft campaign"): Row(everyone(NOT_FOUND), {"slug": "draft_campaign"}),
    ("api-v1:list_report_backs", "draft campaign"): Row(
        everyone(NOT_FOUND), data={"campaign": "next-year"}
    ),
    # Hub B's action outside any campaign: hub B's organizer, and no coordinator
    ("reportbacks:manage", "hub B"): Row(
        organizers(frozenset({"organizer_b"})), {"action_id": "reported"}
    ),
    ("moderation:report", "draft"): Row(everyone(NOT_FOUND), {"public_id": "draft"}),
    # A lead flags another hub, never their own; nobody flags a proposal
    ("moderation:flag", "own hub"): Row(organizers(frozenset()), {"public_id": "hub_a"}),
    ("moderation:flag", "proposal"): Row(organizers(frozenset()), {"public_id": "proposal"}),
    # A coordinator moderates their own campaign and the hubs that answered it
    ("moderation:queue", "another campaign"): Row(
        organizers(frozenset()), {"slug": "draft_campaign"}
    ),
    ("moderation:suspend", "hub B, which answered no call"): Row(
        organizers(frozenset()), {**CAMPAIGN, "hub_id": "hub_b"}
    ),
    ("moderation:take_down", "draft"): Row(
        organizers(frozenset()), {**CAMPAIGN, "action_id": "draft"}
    ),
    ("hubs:calendar", "proposal"): Row(everyone(NOT_FOUND), {"public_id": "proposal"}),
    ("api-v1:get_hub", "proposal"): Row(everyone(NOT_FOUND), {"hub_id": "proposal"}),
    ("actions:manage_attendees", "draft"): Row(
        organizers(ATTENDEE_VIEWERS_A), {"action_id": "draft"}
    ),
    # A draft campaign's pages are a preview for those who may see it (its coordinators, none
    # in the world, and the operators)
    ("campaigns:detail", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:map", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:map_data", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:places", "draft campaign"): Row(
        PREVIEWERS, {"slug": "draft_campaign", "country": "=de"}
    ),
    ("campaigns:tally", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:wave", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:inside", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    # A draft's saved copy is the page as anyone sees it: there is none, for operators too.
    ("campaigns:inside_save", "draft campaign"): Row(
        everyone(NOT_FOUND), {"slug": "draft_campaign"}
    ),
    ("campaigns:wave_fragment", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:calendar", "draft campaign"): Row(PREVIEWERS, {"slug": "draft_campaign"}),
    ("campaigns:manage_settings", "another campaign"): Row(
        organizers(frozenset({"operator"})), {"slug": "draft_campaign"}
    ),
    ("campaigns:manage_state", "another campaign"): Row(
        organizers(frozenset({"operator"})), {"slug": "draft_campaign"}
    ),
    ("campaigns:manage_high_risk", "another campaign"): Row(
        organizers(frozenset({"operator"})), {"slug": "draft_campaign"}
    ),
    ("api-v1:get_campaign", "draft campaign"): Row(everyone(NOT_FOUND), {"slug": "draft_campaign"}),
    # A coordinator's authority is their own campaign's
    ("hubs:tree", "another campaign"): Row(organizers(frozenset()), {"slug": "draft_campaign"}),
    ("actions:manage_counts", "another campaign"): Row(
        organizers(frozenset()), {"slug": "draft_campaign"}
    ),
    ("actions:manage_approvals", "another campaign"): Row(
        organizers(frozenset()), {"slug": "draft_campaign"}
    ),
    ("actions:manage_approve", "another campaign"): Row(
        organizers(frozenset()), {"slug": "draft_campaign", "action_id": "pending"}, "post"
    ),
    ("hubs:answer_call", "hub B"): Row(
        organizers(frozenset({"organizer_b"})), {"public_id": "hub_b", **CAMPAIGN}, "post"
    ),
    ("hubs:manage_answers", "another campaign"): Row(
        organizers(frozenset()), {"slug": "draft_campaign"}
    ),
    ("hubs:manage_coordinators", "another campaign"): Row(
        organizers(frozenset({"operator"})), {"slug": "draft_campaign"}
    ),
    ("hubs:approve", "another campaign"): Row(
        organizers(frozenset()), {"slug": "draft_campaign", "public_id": "proposal"}, "post"
    ),
    # Only confirmed proposals can be vouched for or approved; an active hub is no proposal
    ("hubs:proposal", "unconfirmed"): Row(organizers(frozenset()), {"public_id": "unconfirmed"}),
    ("hubs:approve", "active hub"): Row(
        organizers(frozenset()), {**CAMPAIGN, "public_id": "hub_a"}, "post"
    ),
    # A lead removes people of their own hub only
    ("hubs:remove_member", "member of hub B"): Row(
        organizers(frozenset()),
        {"public_id": "hub_a", "user_public_id": "organizer_b"},
        "post",
    ),
    ("hubs:manage_hub", "hub B"): Row(
        organizers(frozenset({"organizer_b"})), {"public_id": "hub_b"}
    ),
    ("actions:manage_hub_actions", "hub B"): Row(
        organizers(frozenset({"organizer_b"})), {"hub_id": "hub_b"}
    ),
}
# A button's URL answers GET with 405 whoever asks (after sending anonymous visitors of organizer
# pages to sign in), before looking anything up, so the answer says nothing about what exists.
EXTRA_ROWS |= {
    (name, "GET"): Row(
        {
            role: LOGIN if role == "anonymous" and row.expect[role] == LOGIN else NOT_ALLOWED
            for role in ROLES
        },
        row.kwargs,
        json=row.json,
    )
    for name, row in ROWS.items()
    if row.method == "post"
}

# Bugs the matrix found: (name, label) -> (roles, what is wrong). The row keeps what the rules
# say and those cases are expected failures; strict, so a fix turns them red and the mark
# comes off.
KNOWN_BUGS: dict[tuple[str, str], tuple[frozenset[str], str]] = {}


# -- the resolver --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or "[route]" for an unnamed pattern
    route: str
    callback: object
    admin: bool


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, depth first, with namespaced names."""
    found: list[Pattern] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = f"[{route}]"
                admin = namespace.split(":")[0] == "admin"
                found.append(Pattern(key, route, entry.callback, admin))

    with translation.override("en"):
        walk(get_resolver(), "", "")
    return found


def names_needing_rows() -> set[str]:
    return {p.key for p in url_patterns() if not p.admin} | {"admin:index"}


# -- requests --------------------------------------------------------------------------------


def build(row: Row, name: str, ids: dict[str, str]) -> tuple[str, dict]:
    kwargs = {
        key: value[1:] if value.startswith("=") else ids[value] for key, value in row.kwargs.items()
    }
    with translation.override("en"):
        path = row.path or reverse(name, kwargs=kwargs)
    data = {key.format(**ids): value for key, value in row.data.items()}
    return path, data


def request(client, row: Row, path: str, data: dict):
    if row.json:
        return getattr(client, row.method)(path, data, content_type="application/json")
    return getattr(client, row.method)(path, data)


LOGIN_PATHS = ("/en/accounts/login/", "/en/admin/login/")
REAUTHENTICATE_PATHS = ("/en/accounts/reauthenticate/", "/en/accounts/2fa/reauthenticate/")
SECOND_FACTOR_PATHS = ("/en/accounts/2fa/",)


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(LOGIN_PATHS):
            return LOGIN
        if location.startswith(REAUTHENTICATE_PATHS):
            return REAUTHENTICATE
        if location.startswith(SECOND_FACTOR_PATHS):
            return "second factor"
        return OK
    if 200 <= status < 300:
        return OK
    return str(status)


def describe(response) -> str:
    text = f"{response.status_code}"
    if response.has_header("Location"):
        text += f" to {response['Location']}"
    if getattr(response, "exc_info", None):
        text += f" raising {response.exc_info[1]!r}"
    return text


def missing_ids(ids: dict[str, str]) -> dict[str, str]:
    """Ids of the same shape as the world's that name nothing."""
    return {key: ("zz" + "x" * len(value))[: len(value)] for key, value in ids.items()}


# -- the tests -------------------------------------------------------------------------------


def test_every_url_has_a_row(capsys):
    rowless = sorted(names_needing_rows() - set(ROWS))

    with capsys.disabled():
        print(f"\n{summary()}")
    assert not rowless, f"URLs without a row in ROWS ({len(rowless)}): {rowless}"


def test_every_url_has_a_name_of_its_own():
    # A row reaches its URL by name: two patterns under one name would share a row unseen.
    keys = [p.key for p in url_patterns() if not p.admin]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


def test_every_row_names_a_url():
    names = names_needing_rows()
    stale = sorted(set(ROWS) - names) + sorted({name for name, _label in EXTRA_ROWS} - set(ROWS))
    assert not stale, f"rows of URLs that no longer exist: {stale}"


def test_every_row_has_an_outcome_for_every_role():
    for name, row in [*ROWS.items(), *((name, row) for (name, _), row in EXTRA_ROWS.items())]:
        assert set(row.expect) == set(ROLES), name


def _cases():
    rows = [(name, "", row) for name, row in ROWS.items()]
    rows += [(name, label, row) for (name, label), row in EXTRA_ROWS.items()]
    for name, label, row in rows:
        for role in ROLES:
            marks = []
            bug_roles, bug = KNOWN_BUGS.get((name, label), (frozenset(), ""))
            if role in bug_roles:
                marks.append(pytest.mark.xfail(strict=True, reason=f"bug: {bug}"))
            case_id = f"{name}{'[' + label + ']' if label else ''}-{role}"
            yield pytest.param(name, row, role, id=case_id, marks=marks)


CASES = list(_cases())


@pytest.mark.parametrize(("name", "row", "role"), CASES)
def test_each_role_gets_what_the_rules_say(world, name, row, role):
    path, data = build(row, name, world.ids)
    client = world.client(role)

    response = request(client, row, path, data)

    expected = row.expect[role]
    assert response.status_code < 500, (
        f"{row.method.upper()} {path} as {role}: {describe(response)}"
    )
    got = outcome(response)
    assert got == expected, (
        f"{row.method.upper()} {path} as {role}: expected {expected}, got {describe(response)}"
    )
    object_kwargs = [value for value in row.kwargs.values() if not value.startswith("=")]
    if expected in (NOT_FOUND, NOT_ALLOWED) and object_kwargs:
        # Forbidden must look exactly like missing: the same answer for ids that name nothing.
        fake = missing_ids(world.ids)
        missing_path, missing_data = build(row, name, fake)
        missing = request(world.client(role), row, missing_path, missing_data)
        answer = response.content
        for key in object_kwargs:
            answer = answer.replace(world.ids[key].encode(), fake[key].encode())
        assert missing.status_code == response.status_code, f"{missing_path}: {describe(missing)}"
        assert response["Content-Type"] == missing["Content-Type"]
        assert without_csrf_tokens(answer) == without_csrf_tokens(missing.content), (
            f"{path} as {role}: the {expected} differs from the one for a missing object"
        )


# -- the admin -------------------------------------------------------------------------------

_SAMPLES = {"object_id": "1", "content_type_id": "1", "app_label": "auth", "url": "nowhere/"}


def admin_path(pattern: Pattern) -> str:
    """A path that resolves to `pattern`, with sample arguments."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _SAMPLES[m.group(1)], pattern.route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _SAMPLES[m.group(1)], route)
    return "/" + route.replace("^", "").replace("$", "")


ADMIN_PATTERNS = [p for p in url_patterns() if p.admin]
# Staff status is no role of the matrix: the signed-in account with the most power in it and
# the one with none are sent to sign in like an anonymous visitor.
NON_STAFF = ("anonymous", "no_role", "coordinator")


@pytest.mark.parametrize("role", NON_STAFF)
@pytest.mark.parametrize("pattern", ADMIN_PATTERNS, ids=[p.key for p in ADMIN_PATTERNS])
def test_every_admin_url_sends_non_staff_to_sign_in(world, pattern, role):
    path = admin_path(pattern)
    assert resolve(path).func == pattern.callback, path
    client = world.client(role)

    response = client.get(path)
    if pattern.key == "admin:logout":
        # Django's admin sends a visitor without permission from its logout page to its
        # index, which is where sign-in is asked for.
        assert response["Location"] == "/en/admin/"
        response = client.get(response["Location"])
    if pattern.key == "admin:login" and role != "anonymous":
        # Signing in again cannot help a signed-in account without staff status: the admin's
        # sign-in tells it so, rather than sending it round to the account sign-in and back.
        assert response.status_code == 403, f"GET {path} as {role}: {describe(response)}"
        return

    assert outcome(response) == LOGIN, f"GET {path} as {role}: {describe(response)}"


# -- what the matrix covers -------------------------------------------------------------------


def summary() -> str:
    patterns = url_patterns()
    admin = [p for p in patterns if p.admin]
    known_bugs = sum(1 for case in CASES if case.marks)
    return (
        f"permission matrix: {len(patterns)} URL patterns ({len(patterns) - len(admin)} with a "
        f"row of their own, {len(admin)} of the admin under one rule), {len(ROLES)} roles; "
        f"{len(CASES)} cases ({len(ROWS)} rows + {len(EXTRA_ROWS)} rows on other objects or "
        f"methods, x {len(ROLES)} roles; {known_bugs} of them known bugs) + "
        f"{len(ADMIN_PATTERNS) * len(NON_STAFF)} admin cases"
    )
