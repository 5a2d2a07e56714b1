"""Reads that discussion pages, home panels, search and digests share. Each runs a fixed number of queries."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db.models import Count, F, FloatField, Q, Value

from communities.models import FocusArea, Membership
from communities.permissions import visible_q
from discussions.models import MAX_VISIBLE_DEPTH, Flag, ModerationLogEntry, Post, Reaction, Subscription, Thread

TOP_LEVEL_PER_PAGE = 20
THREADS_PER_PAGE = 25
SEARCH_PER_PAGE = 20
SEARCH_CANDIDATES = 500
SEARCH_QUERY_MAX = 200
SORTS = {
    "latest": ("-is_pinned", "-last_activity_at", "-id"),
    "newest": ("-created_at", "-id"),
    "unanswered": ("-created_at", "-id"),
    "helpful": ("-helpful_count", "-last_activity_at", "-id"),
}
SORT_LABELS = {"latest": "Latest activity", "newest": "Newest", "unanswered": "Unanswered", "helpful": "Most helpful"}


def _visible_threads(access):
    qs = Thread.objects.filter(community=access.community)
    return qs if access.may_moderate else qs.filter(is_hidden=False)


# -- lists ------------------------------------------------------------------------------


def threads_for_list(*, access, sort="latest", kind="", focus_area=None):
    """Threads of ``access.community`` the viewer may see, sorted and filtered, with author and focus area."""
    qs = _visible_threads(access).select_related("author", "focus_area", "community")
    if kind:
        qs = qs.filter(kind=kind)
    if focus_area is not None:
        qs = qs.filter(focus_area=focus_area)
    if sort == "unanswered":
        qs = qs.filter(kind=Thread.Kind.QUESTION, accepted_post__isnull=True)
    return qs.order_by(*SORTS.get(sort, SORTS["latest"]))


def thread_counts(*, access):
    """How many threads of each kind, and unanswered questions: one query."""
    kinds = {value: Count("id", filter=Q(kind=value)) for value in Thread.Kind.values}
    return _visible_threads(access).aggregate(
        total=Count("id"),
        unanswered=Count("id", filter=Q(kind=Thread.Kind.QUESTION, accepted_post__isnull=True)),
        **kinds,
    )


def recent_threads(*, community, viewer, limit=5):
    """The latest visible threads of a community, for its home page: one query."""
    return (
        Thread.objects.filter(community=community, is_hidden=False)
        .select_related("author", "focus_area", "community")
        .order_by("-is_pinned", "-last_activity_at")[:limit]
    )


def unanswered_questions_for(*, user, limit=10):
    """Open, visible questions with no replies and no accepted answer, in the user's communities and
    in focus areas the user leads or follows. One query, community and focus area loaded."""
    if user is None or not user.is_authenticated:
        return Thread.objects.none()
    my_communities = Membership.objects.filter(user=user).values("community_id")
    my_areas = FocusArea.objects.filter(Q(leaders=user) | Q(followers=user)).values("id")
    return (
        Thread.objects.filter(
            kind=Thread.Kind.QUESTION,
            is_hidden=False,
            is_locked=False,
            accepted_post__isnull=True,
            reply_count=0,
            community_id__in=my_communities,
            focus_area_id__in=my_areas,
        )
        .select_related("community", "focus_area", "author")
        .order_by("-created_at")[:limit]
    )


def most_helpful_threads(*, communities, since, until, limit=5):
    """Visible threads of ``communities`` whose replies got the most "helpful" reactions in [since, until): one query.

    Each thread carries ``helpful_in_period``.
    """
    in_period = Q(
        posts__reactions__created_at__gte=since,
        posts__reactions__created_at__lt=until,
        posts__reactions__kind=Reaction.Kind.HELPFUL,
        posts__is_hidden=False,
        posts__is_deleted=False,
    )
    return (
        Thread.objects.filter(community__in=communities, is_hidden=False)
        .annotate(helpful_in_period=Count("posts__reactions", filter=in_period))
        .filter(helpful_in_period__gt=0)
        .select_related("community", "focus_area", "author")
        .order_by("-helpful_in_period", "-last_activity_at")[:limit]
    )


# -- one thread ---------------------------------------------------------------------------


@dataclass
class Node:
    post: Post
    children: list = field(default_factory=list)
    # Shown at the depth cap: name whom it answers, since indentation no longer says it.
    in_reply_to: object = None

    @property
    def visible_depth(self):
        return min(self.post.depth, MAX_VISIBLE_DEPTH)


def reply_count(*, thread):
    """How many replies ``thread`` has now, deleted ones not counted: one query."""
    return Thread.objects.values_list("reply_count", flat=True).get(pk=thread.pk)


def thread_for_page(*, access, thread_id):
    """The thread (404 if not in this community or hidden from the viewer) with its author, focus area and answer."""
    return (
        _visible_threads(access)
        .select_related("author", "focus_area", "community", "accepted_post__author")
        .filter(pk=thread_id)
        .first()
    )


def _post_query():
    return Post.objects.select_related("author")


def thread_page(*, thread, page_number=1, per_page=TOP_LEVEL_PER_PAGE):
    """A page of top-level replies with all their descendants, as a tree: three queries whatever the size.

    Returns (page, nodes): ``page`` pages top-level replies; ``nodes`` are their trees in order.
    """
    top = _post_query().filter(thread=thread, parent__isnull=True).order_by("created_at", "id")
    page = Paginator(top, per_page).get_page(page_number)
    tops = list(page.object_list)
    ids = [p.pk for p in tops]
    descendants = list(_post_query().filter(root_id__in=ids).order_by("created_at", "id")) if ids else []
    nodes = {p.pk: Node(p) for p in tops}
    for post in descendants:
        nodes[post.pk] = Node(post)
    for post in descendants:
        parent = nodes.get(post.parent_id)
        if parent is None:
            continue
        node = nodes[post.pk]
        if post.depth > MAX_VISIBLE_DEPTH:
            node.in_reply_to = parent.post.author
        # Replies past the cap sit flat under their nearest capped ancestor.
        while parent.post.depth >= MAX_VISIBLE_DEPTH and parent.post.parent_id in nodes:
            parent = nodes[parent.post.parent_id]
        parent.children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.post.created_at, n.post.pk))
    return page, [nodes[p.pk] for p in tops]


def flatten(nodes):
    """The tree in reading order, each node with its visible depth (for rendering without recursion)."""
    out = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def helpful_marks(*, user, posts):
    """Ids of ``posts`` that ``user`` marked helpful: one query."""
    if not user.is_authenticated or not posts:
        return set()
    return set(
        Reaction.objects.filter(user=user, post__in=[p.pk for p in posts], kind=Reaction.Kind.HELPFUL).values_list(
            "post_id", flat=True
        )
    )


def is_following(*, user, thread):
    return user.is_authenticated and Subscription.objects.filter(thread=thread, user=user).exists()


def page_of_post(*, post, per_page=TOP_LEVEL_PER_PAGE):
    """The page of the thread that shows ``post`` (by its top-level ancestor)."""
    top_id = post.root_id or post.pk
    top = Post.objects.only("created_at").get(pk=top_id)
    before = Post.objects.filter(thread_id=post.thread_id, parent__isnull=True).filter(
        Q(created_at__lt=top.created_at) | Q(created_at=top.created_at, id__lt=top.pk)
    )
    return before.count() // per_page + 1


# -- search --------------------------------------------------------------------------------

_WORD = re.compile(r"[\w]+", re.UNICODE)


def clean_query(text):
    """The words of a search box entry (at most SEARCH_QUERY_MAX characters); '' when there are none."""
    text = (text or "")[:SEARCH_QUERY_MAX]
    return " ".join(_WORD.findall(text))[:SEARCH_QUERY_MAX]


@dataclass
class Hit:
    thread: Thread
    post: Post | None
    headline: str
    rank: float

    @property
    def url(self):
        return self.post.get_absolute_url() if self.post else self.thread.get_absolute_url()


def search(
    *, viewer, query, community=None, kind="", focus_area=None, author=None, since=None, until=None, page_number=1
):
    """Thread openings and replies matching ``query`` that ``viewer`` may see, best first, with highlighted snippets.

    PostgreSQL: full text (title weighted over body), GIN-indexed; four queries per page.
    The newest SEARCH_CANDIDATES matching openings and replies are ranked; ``page.capped``
    says there may be more.
    Elsewhere: icontains. Returns (page, hits).
    """
    words = clean_query(query)
    if not words:
        return None, []
    threads = Thread.objects.filter(visible_q(viewer, prefix="community__"), is_hidden=False)
    posts = Post.objects.filter(visible_q(viewer, prefix="community__"), is_hidden=False, is_deleted=False).filter(
        thread__is_hidden=False
    )
    if community is not None:
        threads, posts = threads.filter(community=community), posts.filter(community=community)
    if kind:
        threads, posts = threads.filter(kind=kind), posts.filter(thread__kind=kind)
    if focus_area is not None:
        threads, posts = threads.filter(focus_area=focus_area), posts.filter(thread__focus_area=focus_area)
    if author is not None:
        threads, posts = threads.filter(author=author), posts.filter(author=author)
    if since is not None:
        threads, posts = threads.filter(created_at__gte=since), posts.filter(created_at__gte=since)
    if until is not None:
        threads, posts = threads.filter(created_at__lt=until), posts.filter(created_at__lt=until)

    if settings.USING_POSTGRES:
        q = SearchQuery(words, search_type="websearch", config="english")
        thread_hits = threads.filter(search_vector=q).annotate(rank=SearchRank(F("search_vector"), q))
        post_hits = posts.filter(search_vector=q).annotate(rank=SearchRank(F("search_vector"), q))
    else:
        q = None
        match = Q()
        for word in words.split()[:10]:
            match &= Q(title__icontains=word) | Q(body__icontains=word)
        thread_hits = threads.filter(match).annotate(rank=Value(1.0, output_field=FloatField()))
        post_match = Q()
        for word in words.split()[:10]:
            post_match &= Q(body__icontains=word)
        post_hits = posts.filter(post_match).annotate(rank=Value(1.0, output_field=FloatField()))
    # Rank only the newest SEARCH_CANDIDATES matches of each kind: a common word matches
    # a tenth of a million posts, and ranking all of them costs far more than a search
    # may. Older matches are one filter (community, author, dates) away.
    thread_rows, post_rows = _newest_matches(thread_hits, "t"), _newest_matches(post_hits, "p")
    candidates = sorted(thread_rows + post_rows, key=lambda row: (row[2], row[3]), reverse=True)
    page = Paginator(candidates, SEARCH_PER_PAGE).get_page(page_number)
    page.capped = SEARCH_CANDIDATES in (len(thread_rows), len(post_rows))
    rows = list(page.object_list)
    thread_ids = {row[1] for row in rows if row[0] == "t"}
    post_ids = {row[1] for row in rows if row[0] == "p"}
    found_threads = Thread.objects.select_related("community", "focus_area", "author").filter(pk__in=thread_ids)
    found_posts = Post.objects.select_related("thread__community", "thread__focus_area", "author", "community")
    found_posts = found_posts.filter(pk__in=post_ids)
    if q is not None:
        options = {"start_sel": "<mark>", "stop_sel": "</mark>", "max_words": 35, "min_words": 15, "config": "english"}
        found_threads = found_threads.annotate(snippet=SearchHeadline("body", q, **options))
        found_posts = found_posts.annotate(snippet=SearchHeadline("body", q, **options))
    by_thread = {t.pk: t for t in found_threads} if thread_ids else {}
    by_post = {p.pk: p for p in found_posts} if post_ids else {}
    hits = []
    for kind_of, hit_id, rank, _when in rows:
        if kind_of == "t" and hit_id in by_thread:
            thread = by_thread[hit_id]
            hits.append(Hit(thread, None, _snippet(thread), rank))
        elif kind_of == "p" and hit_id in by_post:
            post = by_post[hit_id]
            hits.append(Hit(post.thread, post, _snippet(post), rank))
    return page, hits


def _newest_matches(hits, kind_of):
    """(kind, id, rank, created) of the newest SEARCH_CANDIDATES hits: one query."""
    rows = hits.order_by("-created_at").values_list("id", "rank", "created_at")[:SEARCH_CANDIDATES]
    return [(kind_of, hit_id, rank, when) for hit_id, rank, when in rows]


def _snippet(obj):
    """A safe snippet: the headline is built from Markdown source, so escape it and keep only <mark>."""
    from django.utils.html import escape

    text = getattr(obj, "snippet", None) or obj.body[:240]
    return escape(text).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")


def similar_threads(*, access, title, limit=5):
    """Visible threads of the community whose title or opening matches ``title``'s words (any of them): one query."""
    words = clean_query(title).split()[:12]
    words = [w for w in words if len(w) > 2]
    if not words:
        return []
    qs = _visible_threads(access).filter(is_hidden=False).select_related("focus_area")
    if settings.USING_POSTGRES:
        q = SearchQuery(" OR ".join(words), search_type="websearch", config="english")
        return list(
            qs.filter(search_vector=q).annotate(rank=SearchRank(F("search_vector"), q)).order_by("-rank")[:limit]
        )
    match = Q()
    for word in words:
        match |= Q(title__icontains=word)
    return list(qs.filter(match).order_by("-last_activity_at")[:limit])


# -- moderation ------------------------------------------------------------------------------


def open_flags(*, community):
    """Open flags of a community, oldest first, with thread, reply and people loaded: one query."""
    return (
        Flag.objects.filter(community=community, status=Flag.Status.OPEN)
        .select_related("thread", "post__author", "thread__author", "reporter", "thread__community")
        .order_by("created_at")
    )


def moderation_log(*, community):
    return ModerationLogEntry.objects.filter(community=community).select_related("actor", "thread", "post")
