"""What a member's digest (and the site home's "What needs me") says.

Digests sit above every feature app (DESIGN.md), so they import the apps'
selectors and read their models' fields directly: a renamed field fails a test
instead of quietly emptying a section. Each function runs a fixed number of
queries per member, whatever their number of communities or the amount of content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from calendar_app.models import RSVP, DutyState, Occurrence, Responsibility, due_soon_days
from calendar_app.selectors import (
    activities_overlapping,
    duties_needing,
    duties_needing_for_many,
    occurrences_not_answered_by,
    soonest_occurrences_by_community,
)
from chats.selectors import chats_between
from communities.models import Community, FocusArea, JoinRequest, Membership
from communities.selectors import new_members
from core.compiled import Compiled, Derived
from core.links import absolute_url
from digests.models import CommunityNote
from digests.periods import MONTHLY, Period, parse_period, rolling_window
from discussions.models import Flag, Post, Thread
from discussions.selectors import (
    helpful_sort_key,
    most_helpful_threads,
    most_helpful_threads_by_community,
    unanswered_questions_for,
    unanswered_questions_for_many,
)
from mentoring.models import CheckIn, Pairing
from mentoring.selectors import (
    asks_and_check_ins_for_many,
    pairings_needing,
    split_asks_and_check_ins,
)
from polls.models import Poll
from polls.selectors import open_polls_unanswered_by, open_polls_unanswered_by_many
from resources.models import Resource
from resources.selectors import featured_and_approved

QUESTION_LIMIT = 10
# Each kind of call to action lists at most this many (soonest first); the pages hold the rest.
CALL_LIMIT = 10
THREAD_LIMIT = 5
RESOURCE_LIMIT = 5
NEW_MEMBER_LIMIT = 8
CHAT_LIMIT = 5


@dataclass(frozen=True)
class Item:
    """One line of a digest or of "What needs me": what, where, when, and the one link to act on it.

    ``path`` is for the site's own pages; ``url`` (absolute, from SITE_URL) for emails.
    """

    title: str
    path: str
    community: Community | None = None
    when: object = None
    detail: str = ""
    action: str = ""  # the verb: what the person does ("Answer", "RSVP", "See what to do")
    kind: str = ""  # what it is, in a word ("Responsibility", "Poll", ...)
    when_label: str = ""  # what ``when`` is ("due", "closes"): "due Tue, Feb 11, 2026"
    state: str = ""  # a responsibility's DutyState
    show_time: bool = False  # ``when`` is a moment (shown with its time and zone), not a day
    person: Any = None  # who it is from (a question's author), shown with their avatar in the email

    @property
    def url(self) -> str:
        return absolute_url(self.path)

    @property
    def is_overdue(self) -> bool:
        return self.state == DutyState.OVERDUE

    @property
    def state_label(self) -> str:
        return DutyState(self.state).label if self.state else ""


def _responsibility_item(row: Responsibility) -> Item:
    return Item(
        title=row.headline,
        path=row.url,
        community=row.activity.community,
        when=row.due_date,
        when_label="due",
        action="See what to do",
        kind="Responsibility",
        state=row.state,
    )


def _occurrence_item(occurrence: Occurrence) -> Item:
    activity = occurrence.activity
    return Item(
        title=activity.title,
        path=occurrence.url,
        community=activity.community,
        when=occurrence.start,
        detail=activity.get_kind_display(),
        action="RSVP",
        kind="Activity",
        show_time=True,
    )


def _poll_item(poll: Poll) -> Item:
    return Item(
        title=poll.question,
        path=poll.get_absolute_url(),
        community=poll.community,
        when=poll.closes_at,
        when_label="closes" if poll.closes_at else "",
        action="Answer",
        kind="Poll",
        show_time=True,
    )


def _thread_item(thread: Thread, action: str = "Reply") -> Item:
    detail = f"In {thread.focus_area.name}" if thread.focus_area is not None else ""
    helpful = getattr(thread, "helpful_in_period", 0)
    if helpful:
        detail = f"{helpful} found it helpful" + (f" · {detail}" if detail else "")
    return Item(
        title=thread.title,
        path=thread.get_absolute_url(),
        community=thread.community,
        when=thread.created_at,
        when_label="asked",
        detail=detail,
        action=action,
        kind="Question",
        person=thread.author,
    )


def _resource_item(resource: Resource) -> Item:
    return Item(
        title=resource.title,
        path=resource.get_absolute_url(),
        community=resource.community,
        detail="Featured" if getattr(resource, "is_featured_in_window", False) else "",
        action="Open",
    )


def _check_in_item(check_in: CheckIn, user: User) -> Item:
    pairing = check_in.pairing
    other = pairing.mentee if pairing.mentor_id == user.pk else pairing.mentor
    return Item(
        title=f"Check in with {other.name}",
        path=pairing.get_absolute_url(),
        community=pairing.community,
        when=check_in.due_at,
        when_label="due",
        detail="Mentoring",
        action="Open your pair's page",
        kind="Mentoring",
        show_time=True,
    )


def _ask_item(pairing: Pairing) -> Item:
    return Item(
        title=f"{pairing.mentee.name} asks you to be their mentor",
        path=pairing.get_absolute_url(),
        community=pairing.community,
        when=pairing.created_at,
        when_label="asked",
        detail="Mentoring",
        action="Answer",
        kind="Mentoring",
        show_time=True,
    )


def _chat_item(chat: Any) -> Item:  # a Chat with ``people`` and ``answer_count`` (chats_between)
    people = f"{chat.people} took part · " if chat.people else ""
    return Item(
        title=chat.title,
        path=chat.get_absolute_url(),
        community=chat.community,
        when=chat.opens_at,
        detail=f"{people}{chat.answer_count} answer{'s' if chat.answer_count != 1 else ''}",
        action="Read the archive",
    )


@dataclass(frozen=True)
class AnswerNudge:
    """ "Did one of these answer you?": the asker's question that has replies and no accepted answer."""

    thread: Thread
    replies: list

    @property
    def community(self) -> Community:
        return self.thread.community

    @property
    def path(self) -> str:
        return self.thread.get_absolute_url()

    @property
    def url(self) -> str:
        return absolute_url(self.path)

    def accept_path(self, post: Post) -> str:
        return reverse(
            "discussions:accept",
            kwargs={"slug": self.thread.community.slug, "thread_id": self.thread.pk, "post_id": post.pk},
        )

    @property
    def choices(self) -> list[tuple[Post, str]]:
        """(reply, the path its one-click accept form posts to), oldest first."""
        return [(post, self.accept_path(post)) for post in self.replies]


@dataclass(frozen=True)
class ChecklistStep:
    label: str
    done: bool
    path: str


@dataclass(frozen=True)
class Onboarding:
    """A brand-new member's first steps, each done or not from what they have really done."""

    steps: list

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    def __bool__(self) -> bool:
        return self.done_count < len(self.steps)


@dataclass
class CommunityGroup:
    community: Community | None
    items: list = field(default_factory=list)


@dataclass
class CallsToAction:
    responsibilities: list = field(default_factory=list)
    polls: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    mentoring: list = field(default_factory=list)
    nudges: list = field(default_factory=list)  # AnswerNudge, the asker's own questions
    onboarding: Onboarding | None = None  # only in the site, for brand-new members

    def _all(self) -> tuple[list[Item], ...]:
        return (self.responsibilities, self.polls, self.activities, self.questions, self.mentoring)

    def __bool__(self) -> bool:
        return any(self._all()) or bool(self.nudges)

    @property
    def count(self) -> int:
        return sum(len(items) for items in self._all()) + len(self.nudges)

    @property
    def overdue(self) -> list[Item]:
        """Responsibilities past their due date: they lead "What needs me" and the digest."""
        return [item for item in self.responsibilities if item.is_overdue]

    @property
    def upcoming_responsibilities(self) -> list[Item]:
        return [item for item in self.responsibilities if not item.is_overdue]

    @property
    def by_community(self) -> list[CommunityGroup]:
        """Every call but the overdue ones, grouped by community (by name), in one layout for every kind:
        responsibilities, polls, activities, mentoring, questions, each by date within its kind."""
        groups: dict[int, CommunityGroup] = {}
        kinds = (self.upcoming_responsibilities, self.polls, self.activities, self.mentoring, self.questions)
        for items in kinds:
            for item in items:
                key = item.community.pk if item.community is not None else 0
                groups.setdefault(key, CommunityGroup(community=item.community)).items.append(item)
        return sorted(groups.values(), key=lambda g: (g.community is None, g.community.name if g.community else ""))

    def only(self, community: Community) -> CallsToAction:
        """The calls that come from ``community`` alone."""

        def keep(items: list[Item]) -> list[Item]:
            return [item for item in items if item.community is not None and item.community.pk == community.pk]

        return CallsToAction(
            responsibilities=keep(self.responsibilities),
            polls=keep(self.polls),
            activities=keep(self.activities),
            questions=keep(self.questions),
            mentoring=keep(self.mentoring),
            nudges=keep(self.nudges),
        )


@dataclass
class ModerationWork:
    """What waits for the moderators of one community: counts, each with the queue that holds it."""

    community: Community
    flags: int = 0
    submissions: int = 0
    join_requests: int = 0
    broken_links: int = 0

    def __bool__(self) -> bool:
        return bool(self.flags or self.submissions or self.join_requests or self.broken_links)

    @property
    def rows(self) -> list[tuple[int, str, str]]:
        """(count, what, path) for each kind of work waiting, worded for its count."""
        slug = self.community.slug
        kinds = (
            (self.flags, ("open flag", "open flags"), f"/c/{slug}/moderation/"),
            (self.submissions, ("resource to review", "resources to review"), f"/c/{slug}/resources/review/"),
            (self.join_requests, ("request to join", "requests to join"), f"/c/{slug}/manage/requests/"),
            (self.broken_links, ("broken link", "broken links"), f"/c/{slug}/resources/review/"),
        )
        return [(count, words[count != 1], path) for count, words, path in kinds if count]


def moderation_work_for(*, user: User, moderated: Iterable[Community] | None = None) -> list[ModerationWork]:
    """For each community ``user`` moderates, what waits there (only communities with something): 1 to 5 queries.

    ``moderated`` (the communities they moderate, when the caller has them) saves the first query.
    """
    if moderated is None:
        moderated = _onboarding_statements()["moderated"](member=user.pk)
    communities = sorted(moderated, key=lambda community: community.name)
    if not communities:
        return []
    work = {community.pk: ModerationWork(community=community) for community in communities}
    counts = (
        ("flags", Flag.objects.filter(status=Flag.Status.OPEN)),
        ("submissions", Resource.objects.filter(status=Resource.Status.SUBMITTED)),
        ("join_requests", JoinRequest.objects.filter(status=JoinRequest.Status.PENDING)),
        ("broken_links", Resource.objects.filter(link_status=Resource.LinkStatus.BROKEN)),
    )
    for name, rows in counts:
        for community_id, count in (
            rows.filter(community_id__in=list(work))
            .values("community_id")
            .annotate(n=Count("pk"))
            .values_list("community_id", "n")
        ):
            setattr(work[community_id], name, count)
    return [item for item in work.values() if item]


def _window(month: Period | str | None) -> Period:
    if month is None:
        return rolling_window()
    if isinstance(month, str):
        return parse_period(month)
    return month


def calls_to_action(
    *, user: User, month: Period | str | None = None, community: Community | None = None
) -> CallsToAction:
    """What needs ``user`` in ``month`` (a Period, "YYYY-MM", or None for the coming 31 days).

    Their district's open responsibilities, open polls they have not answered,
    activities with RSVP links, unanswered questions in focus areas they lead or
    follow, mentees waiting for their answer and check-ins of their pairings; only
    from their own communities. A fixed number of queries (seven, eight with nudges).

    With ``community``, only what comes from that community (nothing once they have left
    it): the same lists ``calls_to_action(user=user).only(community)`` would give (the
    limits apply to that community's items alone), in as many queries.
    """
    window = _window(month)
    # Mid-period (a preview, a late run) only what is still ahead is a call to action.
    start = max(window.start, timezone.now())
    end = max(window.end, start)
    return _calls_in(user=user, community=community, start=start, end=end)


def _calls_in(*, user: User, community: Community | None, start: datetime, end: datetime) -> CallsToAction:
    """``calls_to_action`` in ``community`` (None: across all of ``user``'s communities). The RSVPs come with
    the activities, the mentees' asks with the check-ins: seven queries, eight with nudges (their
    replies). Their SQL is compiled once per process
    (core.compiled): building these queries was most of the site home's "What needs me" and of the
    community home's "What needs you"."""
    statements = _calls_in_statements(has_district=bool(user.district_id), one_community=community is not None)
    here = {"member": user.pk, **({"community": community.pk} if community is not None else {})}
    now = timezone.now()
    asks, check_ins = split_asks_and_check_ins(statements["pairings"](**here))
    unanswered = occurrences_not_answered_by(user=user, community=community, start=start, end=end, limit=CALL_LIMIT)
    cutoff = now - timedelta(days=settings.ANSWER_NUDGE_DAYS)
    district = {"district": user.district_id} if user.district_id else {}
    today = timezone.localdate()
    duties = statements["duties"](**here, **district, until=timezone.localtime(end).date(), today=today)
    # Overdue ones, however old, come first (oldest first): they stay until someone marks them done.
    return CallsToAction(
        responsibilities=[_responsibility_item(r) for r in duties],
        polls=[_poll_item(p) for p in statements["polls"](**here, now=now)],
        activities=[_occurrence_item(o) for o in unanswered],
        questions=[_thread_item(t, action="Answer") for t in statements["questions"](**here)],
        # Mentees waiting for an answer, then check-ins: due once their period has begun, not limited to the window.
        mentoring=[_ask_item(p) for p in asks[:CALL_LIMIT]] + [_check_in_item(c, user) for c in check_ins[:CALL_LIMIT]],
        nudges=_with_replies(statements["nudges"](**here, cutoff=cutoff), user),
    )


def _place(community: int | None) -> Community | None:
    return Community(pk=community) if community is not None else None


# What neither a question's item nor a nudge shows of its thread.
THREAD_DEFER = ("body", "body_html", "search_vector")


@cache
def _calls_in_statements(*, has_district: bool, one_community: bool) -> dict[str, Compiled]:
    """``_calls_in``'s queries compiled once per process: the viewer's district (or none) and whether they are
    narrowed to one community shape their SQL. The unanswered questions and the asker's own are two
    statements: as one UNION, PostgreSQL took longer to plan it than to plan the two (3.5 against 1.5 ms)."""

    def duties(member, until, today, community=None, district=None):
        person = User(pk=member, district_id=district)
        return duties_needing(user=person, until=until, today=today, community=_place(community))[:CALL_LIMIT]

    # What the items show of a poll: no description (loading fewer columns of the duties' activities made
    # PostgreSQL pick a plan ten times slower).
    def polls(member, now, community=None):
        rows = open_polls_unanswered_by(user=User(pk=member), community=_place(community), now=now)
        return (
            rows.select_related(None).select_related("community").defer("description", "description_html")[:CALL_LIMIT]
        )

    def pairings(member, community=None):
        return pairings_needing(user=User(pk=member), community=_place(community))

    def questions(member, community=None):
        rows = unanswered_questions_for(user=User(pk=member), limit=QUESTION_LIMIT, community=_place(community))
        return rows.defer(*THREAD_DEFER)

    def nudges(member, cutoff, community=None):
        # ``_nudge_threads`` takes the questions asked ANSWER_NUDGE_DAYS before ``now``: before ``cutoff``.
        now = cutoff + timedelta(days=settings.ANSWER_NUDGE_DAYS)
        rows = _nudge_threads(user=User(pk=member), now=now, community=_place(community))
        return rows.select_related("community").defer(*THREAD_DEFER)

    here = {"member": int, **({"community": int} if one_community else {})}
    soon = Derived(lambda values: values["today"] + timedelta(days=due_soon_days()))
    district = {"district": int} if has_district else {}
    return {
        "duties": Compiled(duties, **here, **district, until=date, today=date, soon=soon),
        "polls": Compiled(polls, **here, now=datetime),
        "pairings": Compiled(pairings, **here),
        "questions": Compiled(questions, **here),
        "nudges": Compiled(nudges, **here, cutoff=datetime),
    }


def _answered(*, users, start, end):
    """{user id: {(activity id, occurrence start), ...}}: what each of ``users`` has RSVP'd to (any answer
    counts) among the activities with a date in [start, end) in their communities. One query."""
    found: dict[int, set] = {user.pk: set() for user in users}
    ids = [user.pk for user in users]
    theirs = Q(community_id__in=Membership.objects.filter(user_id__in=ids).values("community_id"))
    overlapping = activities_overlapping(start=start, end=end, communities_q=theirs)
    rows = RSVP.objects.filter(user_id__in=ids, activity__in=overlapping.values("pk"))
    for user_id, activity_id, occurrence_start in rows.values_list("user_id", "activity_id", "occurrence_start"):
        found[user_id].add((activity_id, occurrence_start))
    return found


def _not_answered(occurrences, answered):
    """The occurrences not in ``answered`` (from ``_answered``): an answered date needs no RSVP call."""
    return [o for o in occurrences if (o.activity.pk, o.original_start) not in answered]


NUDGE_LIMIT = 5
NUDGE_REPLIES = 5


def _nudge_threads(*, user: User, now: datetime, community: Community | None = None) -> QuerySet[Thread]:
    """The questions ``answer_nudges_for`` lists (without their replies), oldest first, at most NUDGE_LIMIT."""
    theirs = Membership.objects.filter(user=user)
    if community is not None:
        theirs = theirs.filter(community=community)
    return (
        Thread.objects.filter(
            author=user,
            kind=Thread.Kind.QUESTION,
            accepted_post__isnull=True,
            is_hidden=False,
            created_at__lte=now - timedelta(days=settings.ANSWER_NUDGE_DAYS),
            community_id__in=theirs.values("community_id"),
        )
        .filter(Exists(_others_replies(user).filter(thread_id=OuterRef("pk"))))
        .order_by("created_at", "pk")[:NUDGE_LIMIT]
    )


def _others_replies(user: User) -> QuerySet[Post]:
    return Post.objects.filter(is_deleted=False, is_hidden=False).exclude(author_id=user.pk)


def _with_replies(threads: list[Any], user: User) -> list[AnswerNudge]:  # Threads, given ``others`` here
    """Each of ``threads`` (from ``_nudge_threads``) with up to NUDGE_REPLIES visible replies of others: one query."""
    if not threads:
        return []
    replies = _others_replies(user).select_related("author").order_by("created_at", "pk")
    prefetch_related_objects(threads, Prefetch("posts", queryset=replies, to_attr="others"))
    return [AnswerNudge(thread=thread, replies=thread.others[:NUDGE_REPLIES]) for thread in threads]


def answer_nudges_for(
    *, user: User, now: datetime | None = None, community: Community | None = None
) -> list[AnswerNudge]:
    """The asker's questions with replies from others but no accepted answer, asked ANSWER_NUDGE_DAYS or
    more ago, in communities they are still in (with ``community``, that one only); each with up to
    NUDGE_REPLIES visible replies. Two queries (one when there is none)."""
    threads = _nudge_threads(user=user, now=now or timezone.now(), community=community)
    return _with_replies(list(threads.select_related("community")), user)


def answer_nudges_for_many(*, users, now=None):
    """``answer_nudges_for`` for a batch of people: {user id: [AnswerNudge, ...]}, two queries."""
    now = now or timezone.now()
    ids = [user.pk for user in users]
    visible = Post.objects.filter(is_deleted=False, is_hidden=False)
    still_member = Membership.objects.filter(user_id=OuterRef("author_id"), community_id=OuterRef("community_id"))
    replied = visible.filter(thread_id=OuterRef("pk")).exclude(author_id=OuterRef("author_id"))
    oldest_first = [F("created_at").asc(), F("pk").asc()]
    threads = (
        Thread.objects.filter(
            author_id__in=ids,
            kind=Thread.Kind.QUESTION,
            accepted_post__isnull=True,
            is_hidden=False,
            created_at__lte=now - timedelta(days=settings.ANSWER_NUDGE_DAYS),
        )
        .filter(Exists(still_member), Exists(replied))
        .annotate(nth=Window(RowNumber(), partition_by=[F("author_id")], order_by=oldest_first))
        .filter(nth__lte=NUDGE_LIMIT)
        .select_related("community")
        .prefetch_related(
            Prefetch("posts", queryset=visible.select_related("author").order_by("created_at", "pk"), to_attr="shown")
        )
        .order_by("author_id", "created_at", "pk")
    )
    found: dict[int, list] = {pk: [] for pk in ids}
    for thread in threads:
        if thread.author_id is None:
            continue
        replies = [post for post in thread.shown if post.author_id != thread.author_id][:NUDGE_REPLIES]
        found[thread.author_id].append(AnswerNudge(thread=thread, replies=replies))
    return found


def onboarding_for(*, user, now=None):
    """A member who signed up in the last ONBOARDING_DAYS days: their checklist (done or not, from their
    account, memberships, posts and follows), or None once it is all done or they are no longer new. One query
    (none for members past those days), compiled once per process (core.compiled)."""
    now = now or timezone.now()
    if user.date_joined < now - timedelta(days=settings.ONBOARDING_DAYS):
        return None
    found = _onboarding_statements()["first"](member=user.pk)
    first: Any = found[0] if found else None  # a Membership with what its steps need (``first`` below)
    profile_done = bool(user.district_id) and user.time_zone != "UTC"
    steps = [ChecklistStep("Confirm your district and time zone", profile_done, reverse("accounts:settings"))]
    steps.append(ChecklistStep("Join a community", first is not None, reverse("communities:directory")))
    if first is None:
        steps.append(ChecklistStep("Introduce yourself in its welcome thread", False, reverse("communities:directory")))
        steps.append(ChecklistStep("Follow a focus area", False, reverse("communities:directory")))
        return Onboarding(steps=steps)
    community = first.community
    # Its welcome thread: the first thread its moderators pinned; without one, any post there counts.
    if first.welcome_id is not None:
        introduced = first.replied
        path = Thread(pk=first.welcome_id, title=first.welcome_title, community=community).get_absolute_url()
    else:
        introduced = first.posted or first.started
        path = reverse("discussions:list", kwargs={"slug": community.slug})
    steps.append(ChecklistStep(f"Introduce yourself in {community.name}'s welcome thread", introduced, path))
    steps.append(ChecklistStep("Follow a focus area", first.follows, community.get_absolute_url()))
    return Onboarding(steps=steps)


@cache
def _onboarding_statements() -> dict[str, Compiled]:
    """``onboarding_for``'s query and the communities a person moderates, compiled once per process."""

    def first(member):
        """Their first membership, with whether they follow a focus area, its community's welcome thread (the
        first one pinned and shown), whether they replied there, posted or started a thread there: one query."""
        follows = FocusArea.followers.through.objects.filter(user_id=member)
        welcome = Thread.objects.filter(community_id=OuterRef("community_id"), is_pinned=True, is_hidden=False)
        welcome = welcome.order_by("created_at", "pk")
        replied = Post.objects.filter(thread_id=OuterRef("welcome_id"), author_id=member, is_deleted=False)
        posted = Post.objects.filter(community_id=OuterRef("community_id"), author_id=member, is_deleted=False)
        started = Thread.objects.filter(community_id=OuterRef("community_id"), author_id=member)
        rows = Membership.objects.filter(user_id=member).select_related("community")
        return rows.annotate(
            follows=Exists(follows),
            welcome_id=Subquery(welcome.values("pk")[:1]),
            welcome_title=Subquery(welcome.values("title")[:1]),
            replied=Exists(replied),
            posted=Exists(posted),
            started=Exists(started),
        ).order_by("joined_at", "pk")[:1]

    def moderated(member):
        return Community.objects.filter(memberships__user_id=member, memberships__is_moderator=True)

    return {
        "first": Compiled(first, member=int),
        "moderated": Compiled(moderated, member=int),
    }


def calls_to_action_for_many(*, users, month=None):
    """``calls_to_action`` for a whole batch of people: {user id: CallsToAction}, the same lists.

    A fixed number of queries whatever the number of people (a digest batch), instead of about ten per person.
    """
    window = _window(month)
    start = max(window.start, timezone.now())
    end = max(window.end, start)
    users = list(users)
    communities_of: dict[int, set] = {user.pk: set() for user in users}
    confirmed: dict[tuple, int] = {}  # (user id, community id): the district confirmed for them there
    memberships = Membership.objects.filter(user__in=[u.pk for u in users]).values_list(
        "user_id", "community_id", "district_id", "district_confirmed"
    )
    for user_id, community_id, district_id, district_confirmed in memberships:
        communities_of[user_id].add(community_id)
        if district_confirmed and district_id:
            confirmed[user_id, community_id] = district_id
    every_community = set().union(*communities_of.values())
    duties = duties_needing_for_many(users=users, communities_of=communities_of, confirmed=confirmed, until=end)
    polls = open_polls_unanswered_by_many(users=users, communities_of=communities_of)
    answered = _answered(users=users, start=start, end=end)
    # Each member's soonest dates, however many of them they already answered.
    limit = CALL_LIMIT + max((len(rows) for rows in answered.values()), default=0)
    dates = soonest_occurrences_by_community(community_ids=every_community, start=start, end=end, limit=limit)
    nudges = answer_nudges_for_many(users=users)
    questions = unanswered_questions_for_many(users=users, communities_of=communities_of, limit=QUESTION_LIMIT)
    mentoring = asks_and_check_ins_for_many(users=users, communities_of=communities_of)
    # Items do not depend on who reads them (but check-ins): built once per batch, not once per
    # member (each builds a link with reverse()).
    built: dict[tuple, Item] = {}

    def item(make, row, *args):
        key = (make, id(row))
        if key not in built:
            built[key] = make(row, *args)
        return built[key]

    found = {}
    for user in users:
        occurrences = sorted((o for pk in communities_of[user.pk] for o in dates[pk]), key=_by_start)
        occurrences = _not_answered(occurrences, answered[user.pk])
        asks, check_ins = mentoring[user.pk]
        found[user.pk] = CallsToAction(
            responsibilities=[item(_responsibility_item, r) for r in duties[user.pk][:CALL_LIMIT]],
            polls=[item(_poll_item, p) for p in polls[user.pk][:CALL_LIMIT]],
            activities=[item(_occurrence_item, o) for o in occurrences[:CALL_LIMIT]],
            questions=[item(_thread_item, t, "Answer") for t in questions[user.pk]],
            mentoring=[item(_ask_item, p) for p in asks[:CALL_LIMIT]]
            + [_check_in_item(c, user) for c in check_ins[:CALL_LIMIT]],
            nudges=nudges[user.pk],
        )
    return found


def _by_start(occurrence):
    return (occurrence.start, occurrence.activity.title)


@dataclass
class CommunitySection:
    community: Community
    note: CommunityNote | None = None
    threads: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    new_members: list = field(default_factory=list)
    chats: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.note or self.threads or self.resources or self.new_members or self.chats)

    @property
    def url(self) -> str:
        return absolute_url(self.community.get_absolute_url())

    @property
    def cache_key(self) -> tuple:
        """What the section's markup depends on (digests/templatetags/digest_parts.py): equal keys, equal markup."""
        note = (self.note.pk, self.note.updated_at) if self.note is not None else None
        people = tuple(person.pk for person in self.new_members)
        return (self.community.pk, note, tuple(self.threads), tuple(self.resources), tuple(self.chats), people)


@dataclass
class Digest:
    user: object
    period: object
    calls: CallsToAction
    sections: list
    # What waits in the communities the person moderates (ModerationWork): the digest leads with it.
    moderation: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.moderation) or bool(self.calls) or any(self.sections)


def _community_content(
    communities: Iterable[Community], period: Period, threads: Iterable[Thread] | None = None
) -> dict[int, CommunitySection]:
    """Notes, most helpful threads, featured resources, chat archives and new members of ``communities``
    in ``period``: five queries, four when ``threads`` (the most helpful, best first) are given."""
    sections = {c.pk: CommunitySection(community=c) for c in communities}
    if not sections:
        return sections
    if period.kind == MONTHLY:
        notes = CommunityNote.objects.filter(community_id__in=sections, period=period.key).exclude(body="")
        for note in notes:
            sections[note.community_id].note = note
    since, until = period.since, period.start

    if threads is None:
        threads = most_helpful_threads(communities=communities, since=since, until=until, limit=THREAD_LIMIT)
    for thread in threads:
        section = sections.get(thread.community_id)
        if section is not None:
            section.threads.append(_thread_item(thread, action="Read"))

    for resource in featured_and_approved(communities=communities, since=since, until=until):
        section = sections.get(resource.community_id)
        if section is not None and len(section.resources) < RESOURCE_LIMIT:
            section.resources.append(_resource_item(resource))

    for chat in chats_between(communities=communities, since=since, until=until):
        section = sections.get(chat.community_id)
        if section is not None and len(section.chats) < CHAT_LIMIT:
            section.chats.append(_chat_item(chat))

    for membership in new_members(communities=communities, since=since, until=until):
        section = sections.get(membership.community_id)
        if section is not None and len(section.new_members) < NEW_MEMBER_LIMIT:
            section.new_members.append(membership.user)
    return sections


@dataclass
class BatchContent:
    """The community sections of every community of a batch, worked out once (``community_content_of_many``).

    Each section holds its community's own THREAD_LIMIT most helpful threads; a member's digest
    keeps the THREAD_LIMIT best across their communities, as one query over them would pick.
    """

    sections: dict[int, CommunitySection]
    helpful: dict[Item, int]  # each thread's item: its rank in discussions.selectors.HELPFUL_ORDER

    def sections_for(self, communities: Iterable[Community]) -> dict[int, CommunitySection]:
        ids = [community.pk for community in communities]
        candidates = [item for pk in ids for item in self.sections[pk].threads]
        best = set(sorted(candidates, key=self.helpful.__getitem__)[:THREAD_LIMIT])
        found = {}
        for pk in ids:
            section = self.sections[pk]
            found[pk] = CommunitySection(
                community=section.community,
                note=section.note,
                threads=[item for item in section.threads if item in best],
                resources=section.resources,
                new_members=section.new_members,
                chats=section.chats,
            )
        return found


def community_content_of_many(*, communities: Iterable[Community], period: Period) -> BatchContent:
    """The community sections of ``communities`` for a batch of digests: five queries, whatever the
    number of communities or of members (``digest_for(content=...)`` picks each member's part)."""
    communities = list(communities)
    by_community = most_helpful_threads_by_community(
        communities=communities, since=period.since, until=period.start, limit=THREAD_LIMIT
    )
    threads = sorted((t for rows in by_community.values() for t in rows), key=helpful_sort_key)
    sections = _community_content(communities, period, threads=threads)
    ranks: dict[int, list[int]] = {}
    for rank, thread in enumerate(threads):
        ranks.setdefault(thread.community_id, []).append(rank)
    helpful: dict[Item, int] = {}
    for pk, section in sections.items():
        # A section's items were made from ``threads`` in order, so they line up with its ranks.
        helpful.update(zip(section.threads, ranks.get(pk, ()), strict=True))
    return BatchContent(sections=sections, helpful=helpful)


def member_communities(*, user: User) -> list[Any]:  # Communities with ``moderated_by_user``
    """The communities ``user`` belongs to: the only ones a digest speaks about. One query.

    Each has ``moderated_by_user``: whether ``user`` moderates it (the digest leads with its moderation).
    """
    mine = Membership.objects.filter(user=user)
    moderates = mine.filter(community_id=OuterRef("pk"), is_moderator=True)
    return list(
        Community.objects.filter(pk__in=mine.values("community_id"))
        .annotate(moderated_by_user=Exists(moderates))
        .order_by("pk")
    )


def member_communities_of_many(*, users: Iterable[User]) -> dict[int, list[Any]]:
    """{user id: [community, ...]} for a batch of people: one query."""
    found: dict[int, list[Any]] = {user.pk: [] for user in users}
    memberships = Membership.objects.filter(user__in=[u.pk for u in users]).select_related("community")
    for membership in memberships.order_by("community_id"):
        # As ``member_communities`` marks them: the digest leads with the moderation of these.
        community: Any = membership.community
        community.moderated_by_user = membership.is_moderator
        found[membership.user_id].append(community)
    return found


def digest_for(
    *,
    user: User,
    period: Period | str,
    shared: dict[Any, Any] | None = None,
    only_community: Community | None = None,
    calls: CallsToAction | None = None,
    communities: list[Any] | None = None,  # Communities with ``moderated_by_user``
    content: BatchContent | None = None,
) -> Digest | None:
    """The digest ``user`` gets for ``period``, or None when there is nothing to say.

    Only their own communities; with ``only_community``, only that community's part
    (what its moderators may see). ``shared`` (a dict a batch passes from member to
    member) reuses the community-level content of members with the same
    communities, so a batch costs fewer queries; without it the count is still fixed.
    A batch also passes ``calls`` (from ``calls_to_action_for_many``), ``communities``
    (the member's, from ``member_communities_of_many``) and ``content`` (from
    ``community_content_of_many``), worked out for all its members at once.
    """
    if isinstance(period, str):
        period = parse_period(period)
    if communities is None:
        communities = member_communities(user=user)
    if only_community is not None:
        communities = [c for c in communities if c.pk == only_community.pk]
    if not communities:
        return None
    key = (period.key, frozenset(c.pk for c in communities))
    if shared is not None and key in shared:
        sections = shared[key]
    else:
        if content is not None:
            sections = content.sections_for(communities)
        else:
            sections = _community_content(communities, period)
        if shared is not None:
            shared[key] = sections
    visible = []
    for community in communities:
        section = sections[community.pk]
        new_members = [person for person in section.new_members if person.pk != user.pk]
        trimmed = CommunitySection(
            community=section.community,
            note=section.note,
            threads=section.threads,
            resources=section.resources,
            new_members=new_members,
            chats=section.chats,
        )
        if trimmed:
            visible.append(trimmed)
    if calls is None:
        calls = calls_to_action(user=user, month=period)
    if only_community is not None:
        calls = calls.only(only_community)
    moderated = [community for community in communities if community.moderated_by_user]
    moderation = moderation_work_for(user=user, moderated=moderated) if moderated else []
    digest = Digest(user=user, period=period, calls=calls, sections=visible, moderation=moderation)
    return digest if digest else None
