"""Organizer pages of broadcasts, under /<lang>/manage/: a campaign's coordinators write,
approve, cancel and follow broadcasts and keep the list of sites messages may link to; a hub's
leads and organizers read what their hub received and confirm reading it. Every view passes
organizer_required, then an access helper (404), then at most one service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.campaigns.access import get_campaign_for
from streetwave.core.i18n import localize_digits
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in
from streetwave.hubs.access import get_hub_for
from streetwave.hubs.permissions import permissions_for
from streetwave.outbox.links import LINK

from .. import audiences, queries, services
from ..access import get_campaign_broadcast_for, get_hub_broadcast_for
from ..forms import BroadcastForm, LinkAllowlistForm, languages_of
from ..mails import text_language
from ..models import APPROVAL_THRESHOLD, Acknowledgement, Broadcast

BROADCASTS_PER_PAGE = 50
HUBS_PER_PAGE = 200


def _to_detail(broadcast: Broadcast):
    return redirect("broadcasts:manage_detail", broadcast.campaign.slug, broadcast.public_id)


def _texts_in_order(broadcast: Broadcast) -> list[dict]:
    """The texts of a broadcast, the campaign's languages first, with their language names."""
    names = {code: name for code, name in languages_of(broadcast.campaign)}
    order = [code for code in broadcast.campaign.languages if code in broadcast.texts]
    order += sorted(code for code in broadcast.texts if code not in order)
    return [
        {
            "code": code,
            "name": names.get(code) or code,
            "subject": broadcast.texts[code]["subject"],
            "body": broadcast.texts[code]["body"],
        }
        for code in order
    ]


def _with_subjects(broadcasts, language: str) -> list[tuple[Broadcast, str]]:
    """Each broadcast with its subject as a reader of `language` gets it."""
    rows = []
    for broadcast in broadcasts:
        chosen = text_language(broadcast, language)
        rows.append((broadcast, broadcast.texts[chosen]["subject"] if chosen else ""))
    return rows


# -- coordinators of a campaign ----------------------------------------------------------------


@organizer_required
def campaign_broadcasts(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_broadcast")
    page = Paginator(queries.campaign_broadcasts(campaign), BROADCASTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for broadcast in page.object_list:
        broadcast.campaign = campaign
    return render(
        request,
        "broadcasts/manage/list.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": _with_subjects(page.object_list, request.LANGUAGE_CODE),
            "threshold": APPROVAL_THRESHOLD,
        },
    )


def _compose_page(request, campaign, form, status=200):
    return render(
        request,
        "broadcasts/manage/compose.html",
        {
            "campaign": campaign,
            "form": form,
            "threshold": APPROVAL_THRESHOLD,
            "reach": {
                audience: audiences.count_recipients(campaign, audience)
                for audience in Broadcast.Audience.values
            },
        },
        status=status,
    )


@organizer_required
def compose(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_broadcast")

    def save(form: BroadcastForm) -> Broadcast:
        return services.create_broadcast(
            campaign,
            audience=form.cleaned_data["audience"],
            texts=form.texts(),
            send_at=form.cleaned_data["send_at"],
            actor=request.user,
        )

    def done(broadcast: Broadcast):
        if broadcast.status == Broadcast.Status.HELD:
            messages.warning(
                request,
                _(
                    "The broadcast would reach more than %(threshold)s people, so it waits "
                    "until a second coordinator of the campaign approves it."
                )
                % {"threshold": localize_digits(APPROVAL_THRESHOLD)},
            )
        elif broadcast.status == Broadcast.Status.SCHEDULED:
            messages.success(request, _("The broadcast is scheduled. It goes at its time."))
        else:
            messages.success(request, _("The broadcast is on its way."))
        return _to_detail(broadcast)

    return fill_in(
        request,
        lambda data=None: BroadcastForm(data, campaign=campaign),
        show=lambda form, status: _compose_page(request, campaign, form, status),
        save=save,
        done=done,
    )


@organizer_required
def detail(request, slug, broadcast_id):
    broadcast = get_campaign_broadcast_for(request.user, slug, broadcast_id, "can_broadcast")
    permissions = permissions_for(request.user, broadcast.campaign)
    texts = _texts_in_order(broadcast)
    acknowledgements = None
    if broadcast.audience == Broadcast.Audience.HUBS and broadcast.status == Broadcast.Status.SENT:
        acknowledgements = Paginator(
            audiences.acknowledgements_by_hub(broadcast), HUBS_PER_PAGE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "broadcasts/manage/detail.html",
        {
            "campaign": broadcast.campaign,
            "broadcast": broadcast,
            "texts": texts,
            # Shown apart, so that a second coordinator sees where the message sends people.
            "links": sorted(
                {
                    link
                    for text in texts
                    for link in LINK.findall(f"{text['subject']}\n{text['body']}")
                }
            ),
            "deliveries": queries.delivery_counts(broadcast),
            "acknowledgements": acknowledgements,
            "acknowledged_total": Acknowledgement.objects.filter(broadcast=broadcast).count()
            if acknowledgements is not None
            else 0,
            "permissions": permissions,
            "may_approve": broadcast.status == Broadcast.Status.HELD
            and "can_approve_broadcast" in permissions
            and broadcast.requested_by_id != request.user.pk,
            "may_cancel": broadcast.status in (Broadcast.Status.HELD, Broadcast.Status.SCHEDULED),
        },
    )


@organizer_required
@require_POST
def approve(request, slug, broadcast_id):
    broadcast = get_campaign_broadcast_for(
        request.user, slug, broadcast_id, "can_approve_broadcast"
    )
    approved = press(
        request,
        services.approve_broadcast,
        broadcast,
        success=_("The broadcast is approved."),
    )
    if approved is not None and approved.status == Broadcast.Status.SCHEDULED:
        messages.info(request, _("It goes at its send time."))
    return _to_detail(broadcast)


@organizer_required
@require_POST
def cancel(request, slug, broadcast_id):
    broadcast = get_campaign_broadcast_for(request.user, slug, broadcast_id, "can_broadcast")
    press(
        request,
        services.cancel_broadcast,
        broadcast,
        success=_("The broadcast is cancelled. Nobody receives it."),
    )
    return _to_detail(broadcast)


@organizer_required
def link_allowlist(request, slug):
    campaign = get_campaign_for(request.user, slug, "can_manage_link_allowlist")

    def done(_result: object):
        messages.success(request, _("The list of sites is saved."))
        return redirect("broadcasts:manage_links", campaign.slug)

    return fill_in(
        request,
        lambda data=None: LinkAllowlistForm(
            data, initial={"hosts": "\n".join(campaign.link_allowlist or [])}
        ),
        show=lambda form, status: render(
            request,
            "broadcasts/manage/links.html",
            {"campaign": campaign, "form": form},
            status=status,
        ),
        save=lambda form: services.update_link_allowlist(
            campaign, hosts=form.cleaned_data["hosts"], actor=request.user
        ),
        done=done,
    )


# -- leads and organizers of a hub ----------------------------------------------------------


@organizer_required
def hub_broadcasts(request, hub_id):
    hub = get_hub_for(request.user, hub_id, "can_acknowledge_broadcast")
    page = Paginator(queries.hub_broadcasts(hub, request.user), BROADCASTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "broadcasts/manage/hub_list.html",
        {
            "hub": hub,
            "page": page,
            "rows": _with_subjects(page.object_list, request.LANGUAGE_CODE),
        },
    )


@organizer_required
def hub_detail(request, hub_id, broadcast_id):
    hub, broadcast = get_hub_broadcast_for(request.user, hub_id, broadcast_id)
    language = text_language(broadcast, request.LANGUAGE_CODE)
    texts = _texts_in_order(broadcast)
    acknowledgement = (
        Acknowledgement.objects.filter(broadcast=broadcast, user=request.user)
        .select_related("hub")
        .first()
    )
    return render(
        request,
        "broadcasts/manage/hub_detail.html",
        {
            "hub": hub,
            "broadcast": broadcast,
            "text": next((text for text in texts if text["code"] == language), None),
            "other_texts": [text for text in texts if text["code"] != language],
            "acknowledgement": acknowledgement,
        },
    )


@organizer_required
@require_POST
def acknowledge(request, hub_id, broadcast_id):
    hub, broadcast = get_hub_broadcast_for(request.user, hub_id, broadcast_id)
    press(
        request,
        services.acknowledge_broadcast,
        broadcast,
        hub=hub,
        success=_("Thank you. The coordinators see that you have read it."),
    )
    return redirect("broadcasts:hub_detail", hub.public_id, broadcast.public_id)
