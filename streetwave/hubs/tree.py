"""The hub tree of a campaign, as its coordinators see it: hubs only, never members.

Which hubs belong to a campaign: every hub that answered its call (`Participation`, accepted or
waiting; a founding hub answered when it was founded), with its actions in the campaign in any
status (coordinators also see drafts waiting for approval), plus the sponsors above them up to
the root, so that the tree stays connected (those are marked as taking no part). A hub
suspended by moderation takes part no more. How many hubs
take part is counted as the public tally counts it (campaigns.tally.TALLIED_STATUSES), so that
the two numbers agree. Proposals belong to no campaign yet; every confirmed proposal is listed,
since one approval by any coordinator activates it. Three queries whatever the size of the tree.

Hubs in high-risk countries are not in it (docs/privacy.md, "High-risk countries"): they are
counted (`inside`), never named, placed or linked, and count in no level and no week. A hub
they sponsored is shown as a root: the tree draws no line that leads through them.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from streetwave.campaigns.models import Campaign
from streetwave.campaigns.risk import high_risk_hub_q
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
    # Hubs in high-risk countries that answered the call: a count, nothing more.
    inside: int = 0


def _with_risk(hubs: QuerySet[Hub]) -> QuerySet[Hub]:
    return hubs.annotate(
        high_risk=ExpressionWrapper(high_risk_hub_q(), output_field=BooleanField())
    )


def _is_high_risk(hub: Hub) -> bool:
    return bool(getattr(hub, "high_risk", True))


def hub_tree_for(campaign: Campaign) -> HubTree:
    in_campaign = Q(actions__campaign=campaign)
    answered = {
        hub.pk: hub
        for hub in _with_risk(Hub.objects.filter(participations__campaign=campaign))
        .exclude(status=Hub.Status.SUSPENDED)
        .annotate(
            campaign_actions=Count("actions", filter=in_campaign),
            tallied_actions=Count(
                "actions", filter=in_campaign & Q(actions__status__in=TALLIED_STATUSES)
            ),
        )
        .select_related("city", "city__country")
    }
    known = {hub.public_id for hub in answered.values()}
    above = {
        public_id
        for hub in answered.values()
        if not _is_high_risk(hub)
        for public_id in hub.path.split("/")
        if public_id not in known
    }
    hubs: dict[int, Hub] = dict(answered)
    if above:
        for hub in _with_risk(Hub.objects.filter(public_id__in=above)).select_related(
            "city", "city__country"
        ):
            hubs[hub.pk] = hub
    hubs = {pk: hub for pk, hub in hubs.items() if not _is_high_risk(hub)}
    with_actions = {pk: hub for pk, hub in answered.items() if pk in hubs}
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
    roots = _connected(roots)
    shown = _shown(roots)
    hubs = {pk: hub for pk, hub in hubs.items() if pk in shown}
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
        taking_part=sum(1 for hub in answered.values() if hub.tallied_actions),
        levels=sorted(Counter(hub.depth for hub in hubs.values()).items()),
        growth=_growth_by_week(hubs.values()),
        proposals=proposals,
        inside=len(answered) - len(with_actions),
    )


def _connected(nodes: list[TreeNode]) -> list[TreeNode]:
    """`nodes` in order of name, without the sponsors shown only to connect hubs that are no
    longer below them (a hub in a high-risk country was between them)."""
    kept = []
    for node in nodes:
        node.children = _connected(node.children)
        if node.answered or node.children:
            kept.append(node)
    return sorted(kept, key=lambda node: (node.hub.name, node.hub.public_id))


def _shown(roots: list[TreeNode]) -> set[int]:
    """The primary keys of the hubs in the tree below `roots`."""
    shown, stack = set(), list(roots)
    while stack:
        node = stack.pop()
        shown.add(node.hub.pk)
        stack.extend(node.children)
    return shown


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
