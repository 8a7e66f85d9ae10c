"""The hub tree of a campaign, as its coordinators see it: hubs only, never members.

Which hubs belong to a campaign: every hub that answered its call (`Participation`, accepted or
waiting; a founding hub answered when it was founded), with its actions in the campaign in any
status (coordinators also see drafts waiting for approval), plus the sponsors above them up to
the root, so that the tree stays connected (those are marked as taking no part). A hub
suspended by moderation takes part no more. How many hubs
take part is counted as the public tally counts it (campaigns.tally.TALLIED_STATUSES), so that
the two numbers agree. Proposals belong to no campaign yet; every confirmed proposal is listed,
since one approval by any coordinator activates it. Three queries whatever the size of the tree.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from streetwave.campaigns.models import Campaign
from streetwave.campaigns.tally import TALLIED_STATUSES

from .models import Hub

PROPOSALS_LIMIT = 100


@dataclass
class TreeNode:
    hub: Hub
    # Actions of the hub in this campaign; 0 for a sponsor shown only to connect the tree.
    actions: int
    # Whether the hub answered the campaign's call (a sponsor shown only to connect it did not).
    answered: bool = False
    children: list["TreeNode"] = field(default_factory=list)


@dataclass
class Week:
    starts: dt.date
    added: int
    total: int


@dataclass
class HubTree:
    roots: list[TreeNode]
    taking_part: int
    levels: list[tuple[int, int]]
    growth: list[Week]
    proposals: list[Hub]


def hub_tree_for(campaign: Campaign) -> HubTree:
    in_campaign = Q(actions__campaign=campaign)
    with_actions = {
        hub.pk: hub
        for hub in Hub.objects.filter(participations__campaign=campaign)
        .exclude(status=Hub.Status.SUSPENDED)
        .annotate(
            campaign_actions=Count("actions", filter=in_campaign),
            tallied_actions=Count(
                "actions", filter=in_campaign & Q(actions__status__in=TALLIED_STATUSES)
            ),
        )
        .select_related("city", "city__country")
    }
    known = {hub.public_id for hub in with_actions.values()}
    above = {
        public_id
        for hub in with_actions.values()
        for public_id in hub.path.split("/")
        if public_id not in known
    }
    hubs: dict[int, Hub] = dict(with_actions)
    if above:
        for hub in Hub.objects.filter(public_id__in=above).select_related("city", "city__country"):
            hubs[hub.pk] = hub
    nodes = {
        pk: TreeNode(
            hub=hub, actions=getattr(hub, "campaign_actions", 0), answered=pk in with_actions
        )
        for pk, hub in hubs.items()
    }
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.hub.sponsor_id) if node.hub.sponsor_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.hub.name, child.hub.public_id))
    roots.sort(key=lambda node: (node.hub.name, node.hub.public_id))
    proposals = list(
        Hub.objects.awaiting_vouches()
        .select_related("city", "city__country", "application")
        .annotate(vouch_count=Count("vouches"))
        .order_by("application__verified_at", "id")[:PROPOSALS_LIMIT]
    )
    return HubTree(
        roots=roots,
        # The public tally's count: hubs with a published or completed action in the campaign
        # (a hub with only drafts or cancelled actions is in the tree, but takes no part yet).
        taking_part=sum(1 for hub in with_actions.values() if hub.tallied_actions),
        levels=sorted(Counter(hub.depth for hub in hubs.values()).items()),
        growth=_growth_by_week(hubs.values()),
        proposals=proposals,
    )


def _growth_by_week(hubs) -> list[Week]:
    """Hubs activated per week (weeks start on Monday, UTC) and the running total."""
    added: defaultdict[dt.date, int] = defaultdict(int)
    for hub in hubs:
        if hub.activated_at is not None:
            day = hub.activated_at.astimezone(dt.UTC).date()
            added[day - dt.timedelta(days=day.weekday())] += 1
    weeks = []
    total = 0
    for starts in sorted(added):
        total += added[starts]
        weeks.append(Week(starts=starts, added=added[starts], total=total))
    return weeks
