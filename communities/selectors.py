from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db.models import Case, Count, Exists, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import District, User
from communities.models import Community, FocusArea, Invitation, JoinRequest, Membership
from communities.permissions import listed_q, visible_q
from core import panels
from core.cache import cache_is_degraded
from core.compiled import Compiled
from core.mail import address_suppressed, latest_delivery_status
from core.pagecache import keeps, kept


def communities_for_directory(*, viewer: User, query: str = "", audience: str = "") -> QuerySet[Community]:
    """Communities ``viewer`` may know exist, with member counts: one query."""
    qs = Community.objects.filter(listed_q(viewer)).annotate(num_members=_member_count())
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(domain__icontains=query) | Q(tagline__icontains=query))
    if audience:
        qs = qs.filter(audience=audience)
    return qs.order_by("name")


def my_communities(*, user: User) -> list[Any]:  # Communities with ``num_members`` and ``moderated_by_user``
    """``communities_of(user=user)`` for the site home, with member counts (``member_counts``) and
    ``moderated_by_user`` (whether ``user`` moderates it, for its "Needs moderation"): one query compiled once
    per process, one more for the counts the cache does not hold."""
    communities = _my_communities_statement(user.is_staff)(member=user.pk)
    counts = member_counts(community.pk for community in communities)
    for community in communities:
        community.num_members = counts[community.pk]
    return communities


@cache
def _my_communities_statement(staff: bool) -> Compiled:
    def mine(member):
        moderates = Membership.objects.filter(user_id=member, community_id=OuterRef("pk"), is_moderator=True)
        return _belonging(User(pk=member, is_staff=staff)).annotate(moderated_by_user=Exists(moderates))

    return Compiled(mine, member=int)


MEMBER_COUNT_SECONDS = 300


def member_count_key(community_id: int) -> str:
    return f"members:{community_id}"


def member_counts(community_ids: Iterable[int]) -> dict[int, int]:
    """{community id: its number of members}: from the cache, where a count stays until a membership of that
    community is saved or deleted (communities.signals) and at most MEMBER_COUNT_SECONDS; the others counted in
    one query (counting 2,500 members each took PostgreSQL about 1 ms for five communities, issue 19)."""
    keys = {pk: member_count_key(pk) for pk in community_ids}
    store = None if cache_is_degraded(shared_cache) else shared_cache
    kept = store.get_many(list(keys.values())) if store is not None and keys else {}
    counts = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in keys if pk not in counts]
    if missing:
        rows = Membership.objects.filter(community_id__in=missing).order_by().values("community_id")
        counted = dict.fromkeys(missing, 0) | dict(rows.annotate(n=Count("*")).values_list("community_id", "n"))
        counts.update(counted)
        if store is not None:
            store.set_many({keys[pk]: n for pk, n in counted.items()}, MEMBER_COUNT_SECONDS)
    return counts


def communities_of(*, user: User, viewer: User | None = None) -> QuerySet[Community]:
    """Communities ``user`` belongs to, limited to those whose members ``viewer`` may see (default: the user).

    Membership of a members-only community is its content: a profile lists it only to
    its members and staff, never to visitors or other outsiders.
    """
    return _belonging(user, viewer).annotate(num_members=_member_count())


def _belonging(user: User, viewer: User | None = None) -> QuerySet[Community]:
    viewer = user if viewer is None else viewer
    # A subquery, not a join on memberships: filtering through the join the count
    # runs over would count only the user's own membership.
    theirs = Membership.objects.filter(user=user).values("community_id")
    return Community.objects.filter(pk__in=theirs).filter(visible_q(viewer)).order_by("name")


def _member_count() -> Func:
    """Each community's number of members, counted from the index on memberships' community alone: joining
    the memberships and counting them distinct sorted every membership row (5 ms for 5 communities of
    2,500 members each)."""
    counted = Membership.objects.filter(community=OuterRef("pk")).order_by().values("community")
    return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n")), 0)


# What ``{% person %}`` shows of someone listed by name (leaders, moderators).
PERSON_FIELDS = ("id", "username", "display_name", "avatar")


def focus_areas_with_leaders(*, community: Community, follower: User | None = None) -> QuerySet[FocusArea]:
    """Focus areas of a community with their leaders (as ``{% person %}`` shows them): two queries.

    With ``follower``, each area's ``following`` says whether they follow it (in the first query).
    """
    leaders = Prefetch("leaders", queryset=User.objects.only(*PERSON_FIELDS))
    areas = FocusArea.objects.filter(community=community).prefetch_related(leaders)
    if follower is None or not follower.is_authenticated:
        return areas.annotate(following=Value(False))
    follows = FocusArea.followers.through.objects.filter(focusarea_id=OuterRef("pk"), user_id=follower.pk)
    return areas.annotate(following=Exists(follows))


def focus_areas_for_home(*, community: Community, follower: User | None = None) -> list[FocusArea]:
    """``focus_areas_with_leaders`` for the community home, as a list: each area's leaders in ``leader_list``.
    Two queries, compiled once per process (core.compiled)."""
    following = follower is not None and follower.is_authenticated
    areas_statement, leaders_statement = _home_statements(following)
    here = {"community": community.pk}
    areas = areas_statement(**here, **({"follower": follower.pk} if following else {}))  # type: ignore[union-attr]
    by_area: dict[int, list[User]] = {area.pk: [] for area in areas}
    for row in leaders_statement(**here) if areas else ():
        by_area[row.focusarea_id].append(row.user)
    for area in areas:
        area.leader_list = by_area[area.pk]
    return areas


def moderators_for_home(*, community: Community) -> list[Membership]:
    """``moderators_of``, compiled once per process: one query."""
    return _moderators_statement()(community=community.pk)


def home_areas_and_moderators(
    *, community: Community, follower: User | None = None
) -> tuple[list[FocusArea], list[Membership]]:
    """``focus_areas_for_home`` and ``moderators_for_home`` of the community home. They read nothing about the
    reader but which areas ``follower`` follows, so they are kept for everyone alike under the community's
    version tokens (core.pagecache.kept, KEPT_SECONDS): no query when kept, then one for what ``follower``
    follows (none for a visitor); three when built (following in the first, as before when keeping is off)."""
    following = follower is not None and follower.is_authenticated
    if not keeps(settings.KEPT_SECONDS):
        return focus_areas_for_home(community=community, follower=follower), moderators_for_home(community=community)
    areas, moderators = kept(
        scopes=[f"c:{community.slug}"],
        key=f"community-home-side:{community.pk}",
        build=lambda: (focus_areas_for_home(community=community), moderators_for_home(community=community)),
        seconds=settings.KEPT_SECONDS,
        sources=("communities/models.py", "communities/selectors.py", "accounts/models.py"),
    )
    followed: set[int] = set()
    if follower is not None and following and areas:
        followed = set(_followed_statement()(community=community.pk, follower=follower.pk))
    for area in areas:
        area.following = area.pk in followed  # as focus_areas_with_leaders annotates
    return areas, moderators


@cache
def _followed_statement() -> Compiled:
    def followed(community, follower):
        rows = FocusArea.followers.through.objects.filter(focusarea__community_id=community, user_id=follower)
        return rows.values_list("focusarea_id", flat=True)

    return Compiled(followed, community=int, follower=int)


@cache
def _home_statements(following: bool) -> tuple[Compiled, Compiled]:
    def areas(community, follower=None):
        found = focus_areas_with_leaders(
            community=Community(pk=community), follower=User(pk=follower) if following else None
        )
        return found.prefetch_related(None)

    def leaders(community):
        rows = FocusArea.leaders.through.objects.filter(focusarea__community_id=community).select_related("user")
        return rows.only("focusarea_id", *(f"user__{name}" for name in PERSON_FIELDS)).order_by("user__username")

    return (
        Compiled(areas, community=int, **({"follower": int} if following else {})),
        Compiled(leaders, community=int),
    )


@cache
def _moderators_statement() -> Compiled:
    return Compiled(lambda community: moderators_of(community=Community(pk=community)), community=int)


def moderators_of(*, community: Community) -> QuerySet[Membership]:
    """The community's moderators, each with the user as ``{% person %}`` shows them: one query."""
    return (
        Membership.objects.filter(community=community, is_moderator=True)
        .select_related("user")
        .only("id", "user", *(f"user__{name}" for name in PERSON_FIELDS))
    )


def members_for_list(
    *, community: Community, district: District | int | None = None, role: str = ""
) -> QuerySet[Membership]:
    """Members with user and district loaded, ordered by district name then person.

    Two queries: the members, and the focus areas of this community each one
    leads (``member.user.led_here``).
    """
    led_here = Prefetch(
        "user__led_focus_areas", queryset=FocusArea.objects.filter(community=community), to_attr="led_here"
    )
    qs = (
        Membership.objects.filter(community=community)
        .select_related("user", "user__district")
        .prefetch_related(led_here)
    )
    if district:
        qs = qs.filter(user__district=district)
    if role == "moderator":
        qs = qs.filter(is_moderator=True)
    elif role == "district_leader":
        qs = qs.filter(is_district_leader=True)
    elif role == "mentor":
        qs = qs.filter(is_mentor=True)
    elif role == "focus_area_leader":
        qs = qs.filter(user__led_focus_areas__community=community).distinct()
    return qs.order_by("user__district__name", "user__display_name", "user__username")


def districts_of_members(*, community: Community) -> QuerySet[District]:
    """Districts that members of ``community`` work in, or that take part in it: one query."""
    return (
        District.objects.filter(Q(users__memberships__community=community) | Q(communities=community))
        .distinct()
        .order_by("name")
    )


def new_members(*, communities: Iterable[Community | int], since: datetime, until: datetime) -> QuerySet[Membership]:
    """Memberships in ``communities`` (a queryset or list of communities/ids) that began in [since, until).

    User and community are loaded with them: one query.
    """
    return (
        Membership.objects.filter(community__in=communities, joined_at__gte=since, joined_at__lt=until)
        .select_related("user", "user__district", "community")
        .order_by("community_id", "joined_at")
    )


def pending_join_requests(*, community: Community) -> QuerySet[JoinRequest]:
    """Requests waiting for a moderator, oldest first, with requester and district: one query."""
    return (
        JoinRequest.objects.filter(community=community, status=JoinRequest.Status.PENDING)
        .select_related("user", "user__district")
        .order_by("created_at")
    )


def decided_join_requests(*, community: Community, limit: int = 20) -> QuerySet[JoinRequest]:
    """The latest decided requests with requester and decider: one query."""
    return (
        JoinRequest.objects.filter(community=community)
        .exclude(status=JoinRequest.Status.PENDING)
        .select_related("user", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def invitations_for(*, community: Community, limit: int = 100) -> QuerySet[Invitation]:
    """The latest invitations with inviter, accepter and their email's state: one query.

    ``email_status`` is the state of the newest email about it (core.mail), ``email_suppressed``
    says the address bounced or complained before.
    """
    return (
        Invitation.objects.filter(community=community)
        .select_related("invited_by", "accepted_by")
        .annotate(email_status=latest_delivery_status("invitation"), email_suppressed=address_suppressed("email"))
        .order_by("-created_at")[:limit]
    )


def _count_of(queryset: QuerySet[Any]) -> Func:
    counted = queryset.order_by().values("community").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def count_in_community(queryset: QuerySet[Any]) -> Any:
    """A subquery counting ``queryset``'s rows in the community of the outer row, for ``moderation_counts``.

    Apps above fill the ``moderation_count`` slot with ``[(tab, count_in_community(rows of this community))]``
    where the rows are filtered on ``community=OuterRef("pk")``.
    """
    return _count_of(queryset)


def moderation_counts(*, community: Community) -> dict[str, int]:
    """{tab: how many things wait for moderators there} for the community's tabs: one query whatever the tabs.

    ``manage`` counts pending join requests; the apps above add theirs (flags under discussions,
    submissions and broken links under resources) through the ``moderation_count`` slot.
    """
    here = OuterRef("pk")
    parts = [("manage", _count_of(JoinRequest.objects.filter(community=here, status=JoinRequest.Status.PENDING)))]
    for contribution in panels.collect("moderation_count", here=here):
        parts.extend(contribution)
    names = [f"n{i}" for i in range(len(parts))]
    values = (
        Community.objects.filter(pk=community.pk)
        .annotate(**{name: expression for name, (_tab, expression) in zip(names, parts, strict=True)})
        .values_list(*names)
        .get()
    )
    counts: dict[str, int] = {}
    for (tab, _expression), value in zip(parts, values, strict=True):
        counts[tab] = counts.get(tab, 0) + value
    return counts


def manage_summary(*, community: Community) -> Mapping[str, Any]:
    """Counts for the manage overview (members, focus_area_count, pending requests, open invitations): one query."""
    here = OuterRef("pk")
    return (
        Community.objects.filter(pk=community.pk)
        .values("pk")
        .annotate(
            members=_count_of(Membership.objects.filter(community=here)),
            focus_area_count=_count_of(FocusArea.objects.filter(community=here)),
            pending_requests=_count_of(JoinRequest.objects.filter(community=here, status=JoinRequest.Status.PENDING)),
            open_invitations=_count_of(
                Invitation.objects.filter(
                    community=here, accepted_at__isnull=True, revoked=False, expires_at__gt=timezone.now()
                )
            ),
        )
        .get()
    )


MENTION_CANDIDATES = 8


def mention_candidates(*, community: Community, query: str, limit: int = MENTION_CANDIDATES) -> list[tuple[str, str]]:
    """Members of ``community`` whose display name or username starts a word with ``query``, for @-completion.

    One query; (username, name) pairs, best first (a name that starts with it, then a later word).
    """
    query = query.strip()[:40]
    if not query:
        return []
    starts = Q(user__display_name__istartswith=query) | Q(user__username__istartswith=query)
    later_word = Q(user__display_name__icontains=f" {query}")
    rows = (
        Membership.objects.filter(community=community, user__is_active=True)
        .filter(starts | later_word)
        .annotate(starts=Case(When(starts, then=Value(0)), default=Value(1)))
        .order_by("starts", "user__display_name", "user__username")
        .values_list("user__username", "user__display_name")[:limit]
    )
    return [(username, name or username) for username, name in rows]


def districts_overview(*, community: Community) -> list[Any]:
    """The community's districts, each with ``leaders``, ``confirmed`` and ``pending`` memberships: two queries."""
    districts: list[Any] = list(community.districts.order_by("name"))  # each gets three lists below
    by_pk = {district.pk: district for district in districts}
    for district in districts:
        district.leaders, district.confirmed, district.pending = [], [], []
    memberships = (
        Membership.objects.filter(community=community, district__in=districts)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    for membership in memberships:
        district = by_pk[membership.district_id]
        if not membership.district_confirmed:
            district.pending.append(membership)
            continue
        district.confirmed.append(membership)
        if membership.is_district_leader:
            district.leaders.append(membership)
    return districts
