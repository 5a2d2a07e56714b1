"""What a member's digest (and the site home's "What needs me") says.

Digests sit above every feature app (DESIGN.md), so they import the apps'
selectors and read their models' fields directly: a renamed field fails a test
instead of quietly emptying a section. Each function runs a fixed number of
queries per member, whatever their number of communities or the amount of content.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from calendar_app.models import RSVP, DutyState, Occurrence, Responsibility
from calendar_app.selectors import duties_needing, upcoming_occurrences_for
from chats.selectors import chats_between
from communities.models import Community, JoinRequest, Membership
from communities.selectors import new_members
from core.links import absolute_url
from digests.models import CommunityNote
from digests.periods import MONTHLY, parse_period, rolling_window
from discussions.models import Flag, Post, Thread
from discussions.selectors import most_helpful_threads, unanswered_questions_for
from mentoring.models import CheckIn, Pairing
from mentoring.selectors import asks_waiting_for, check_ins_due_for
from polls.models import Poll
from polls.selectors import open_polls_unanswered_by
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
    community: object = None
    when: object = None
    detail: str = ""
    action: str = ""  # the verb: what the person does ("Answer", "RSVP", "See what to do")
    kind: str = ""  # what it is, in a word ("Responsibility", "Poll", ...)
    when_label: str = ""  # what ``when`` is ("due", "closes"): "due Tue, Feb 11, 2026"
    state: str = ""  # a responsibility's DutyState
    show_time: bool = False  # ``when`` is a moment (shown with its time and zone), not a day

    @property
    def url(self):
        return absolute_url(self.path)

    @property
    def is_overdue(self):
        return self.state == DutyState.OVERDUE

    @property
    def state_label(self):
        return DutyState(self.state).label if self.state else ""


def _responsibility_item(row: Responsibility):
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


def _occurrence_item(occurrence: Occurrence):
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


def _poll_item(poll: Poll):
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


def _thread_item(thread: Thread, action="Reply"):
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
    )


def _resource_item(resource: Resource):
    return Item(
        title=resource.title,
        path=resource.get_absolute_url(),
        community=resource.community,
        detail="Featured" if getattr(resource, "is_featured_in_window", False) else "",
        action="Open",
    )


def _check_in_item(check_in: CheckIn, user):
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


def _ask_item(pairing: Pairing):
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


def _chat_item(chat):
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
    def community(self):
        return self.thread.community

    @property
    def path(self):
        return self.thread.get_absolute_url()

    @property
    def url(self):
        return absolute_url(self.path)

    def accept_path(self, post):
        return reverse(
            "discussions:accept",
            kwargs={"slug": self.thread.community.slug, "thread_id": self.thread.pk, "post_id": post.pk},
        )

    @property
    def choices(self):
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
    def done_count(self):
        return sum(step.done for step in self.steps)

    def __bool__(self):
        return self.done_count < len(self.steps)


@dataclass
class CommunityGroup:
    community: object
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

    def _all(self):
        return (self.responsibilities, self.polls, self.activities, self.questions, self.mentoring)

    def __bool__(self):
        return any(self._all()) or bool(self.nudges)

    @property
    def count(self):
        return sum(len(items) for items in self._all()) + len(self.nudges)

    @property
    def overdue(self):
        """Responsibilities past their due date: they lead "What needs me" and the digest."""
        return [item for item in self.responsibilities if item.is_overdue]

    @property
    def upcoming_responsibilities(self):
        return [item for item in self.responsibilities if not item.is_overdue]

    @property
    def by_community(self):
        """Every call but the overdue ones, grouped by community (by name), in one layout for every kind:
        responsibilities, polls, activities, mentoring, questions, each by date within its kind."""
        groups: dict[int, CommunityGroup] = {}
        kinds = (self.upcoming_responsibilities, self.polls, self.activities, self.mentoring, self.questions)
        for items in kinds:
            for item in items:
                key = item.community.pk if item.community is not None else 0
                groups.setdefault(key, CommunityGroup(community=item.community)).items.append(item)
        return sorted(groups.values(), key=lambda g: (g.community is None, g.community.name if g.community else ""))

    def only(self, community):
        """The calls that come from ``community`` alone."""

        def keep(items):
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

    def __bool__(self):
        return bool(self.flags or self.submissions or self.join_requests or self.broken_links)

    @property
    def rows(self):
        """(count, what, path) for each kind of work waiting, worded for its count."""
        slug = self.community.slug
        kinds = (
            (self.flags, ("open flag", "open flags"), f"/c/{slug}/moderation/"),
            (self.submissions, ("resource to review", "resources to review"), f"/c/{slug}/resources/review/"),
            (self.join_requests, ("request to join", "requests to join"), f"/c/{slug}/manage/requests/"),
            (self.broken_links, ("broken link", "broken links"), f"/c/{slug}/resources/review/"),
        )
        return [(count, words[count != 1], path) for count, words, path in kinds if count]


def moderation_work_for(*, user):
    """For each community ``user`` moderates, what waits there (only communities with something): 1 to 5 queries."""
    communities = list(
        Community.objects.filter(memberships__user=user, memberships__is_moderator=True).order_by("name")
    )
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


def _window(month):
    if month is None:
        return rolling_window()
    if isinstance(month, str):
        return parse_period(month)
    return month


def calls_to_action(*, user, month=None):
    """What needs ``user`` in ``month`` (a Period, "YYYY-MM", or None for the coming 31 days).

    Their district's open responsibilities, open polls they have not answered,
    activities with RSVP links, unanswered questions in focus areas they lead or
    follow, mentees waiting for their answer and check-ins of their pairings; only
    from their own communities. A fixed number of queries.
    """
    window = _window(month)
    # Mid-period (a preview, a late run) only what is still ahead is a call to action.
    start = max(window.start, timezone.now())
    end = max(window.end, start)
    calls = CallsToAction()
    # Overdue ones, however old, come first (oldest first): they stay until someone marks them done.
    calls.responsibilities = [_responsibility_item(r) for r in duties_needing(user=user, until=end)[:CALL_LIMIT]]
    calls.polls = [_poll_item(p) for p in open_polls_unanswered_by(user=user)[:CALL_LIMIT]]
    occurrences = _not_answered(user, upcoming_occurrences_for(user=user, start=start, end=end))
    calls.activities = [_occurrence_item(o) for o in occurrences[:CALL_LIMIT]]
    calls.questions = [
        _thread_item(t, action="Answer") for t in unanswered_questions_for(user=user, limit=QUESTION_LIMIT)
    ]
    # Mentees waiting for an answer, then check-ins: due once their period has begun, not limited to the window.
    calls.mentoring = [_ask_item(p) for p in asks_waiting_for(user=user)[:CALL_LIMIT]]
    calls.mentoring += [_check_in_item(c, user) for c in check_ins_due_for(user=user)[:CALL_LIMIT]]
    calls.nudges = answer_nudges_for(user=user)
    return calls


def _not_answered(user, occurrences):
    """The occurrences ``user`` has not RSVP'd to (any answer counts): one query when there are any."""
    if not occurrences:
        return occurrences
    answered = set(
        RSVP.objects.filter(user=user, activity_id__in={o.activity.pk for o in occurrences}).values_list(
            "activity_id", "occurrence_start"
        )
    )
    return [o for o in occurrences if (o.activity.pk, o.original_start) not in answered]


NUDGE_LIMIT = 5
NUDGE_REPLIES = 5


def answer_nudges_for(*, user, now=None):
    """The asker's questions with replies from others but no accepted answer, asked ANSWER_NUDGE_DAYS or
    more ago, in communities they are still in; each with up to NUDGE_REPLIES visible replies. Two queries."""
    now = now or timezone.now()
    others = Post.objects.filter(is_deleted=False, is_hidden=False).exclude(author_id=user.pk)
    threads = list(
        Thread.objects.filter(
            author=user,
            kind=Thread.Kind.QUESTION,
            accepted_post__isnull=True,
            is_hidden=False,
            created_at__lte=now - timedelta(days=settings.ANSWER_NUDGE_DAYS),
            community_id__in=Membership.objects.filter(user=user).values("community_id"),
        )
        .filter(Exists(others.filter(thread_id=OuterRef("pk"))))
        .select_related("community")
        .prefetch_related(
            Prefetch("posts", queryset=others.select_related("author").order_by("created_at", "pk"), to_attr="others")
        )
        .order_by("created_at", "pk")[:NUDGE_LIMIT]
    )
    return [AnswerNudge(thread=thread, replies=thread.others[:NUDGE_REPLIES]) for thread in threads]


def onboarding_for(*, user, now=None):
    """A member who signed up in the last ONBOARDING_DAYS days: their checklist (done or not, from their
    account, memberships, posts and follows), or None once it is all done or they are no longer new. 1-4 queries."""
    now = now or timezone.now()
    if user.date_joined < now - timedelta(days=settings.ONBOARDING_DAYS):
        return None
    first = (
        Membership.objects.filter(user=user)
        .select_related("community")
        .annotate(follows=Exists(user.followed_focus_areas.through.objects.filter(user_id=user.pk)))
        .order_by("joined_at", "pk")
        .first()
    )
    profile_done = bool(user.district_id) and user.time_zone != "UTC"
    steps = [ChecklistStep("Confirm your district and time zone", profile_done, reverse("accounts:settings"))]
    steps.append(ChecklistStep("Join a community", first is not None, reverse("communities:directory")))
    if first is None:
        steps.append(ChecklistStep("Introduce yourself in its welcome thread", False, reverse("communities:directory")))
        steps.append(ChecklistStep("Follow a focus area", False, reverse("communities:directory")))
        return Onboarding(steps=steps)
    community = first.community
    # Its welcome thread: the first thread its moderators pinned; without one, any post there counts.
    welcome = Thread.objects.filter(community=community, is_pinned=True, is_hidden=False).order_by("created_at", "pk")
    welcome_thread = welcome.first()
    if welcome_thread is not None:
        introduced = Post.objects.filter(thread=welcome_thread, author=user, is_deleted=False).exists()
        path = welcome_thread.get_absolute_url()
    else:
        introduced = (
            Post.objects.filter(community=community, author=user, is_deleted=False).exists()
            or Thread.objects.filter(community=community, author=user).exists()
        )
        path = reverse("discussions:list", kwargs={"slug": community.slug})
    steps.append(ChecklistStep(f"Introduce yourself in {community.name}'s welcome thread", introduced, path))
    steps.append(ChecklistStep("Follow a focus area", first.follows, community.get_absolute_url()))
    return Onboarding(steps=steps)


@dataclass
class CommunitySection:
    community: Community
    note: CommunityNote | None = None
    threads: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    new_members: list = field(default_factory=list)
    chats: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.note or self.threads or self.resources or self.new_members or self.chats)

    @property
    def url(self):
        return absolute_url(self.community.get_absolute_url())


@dataclass
class Digest:
    user: object
    period: object
    calls: CallsToAction
    sections: list

    def __bool__(self):
        return bool(self.calls) or any(self.sections)


def _community_content(communities, period):
    """Notes, most helpful threads, featured resources, chat archives and new members of ``communities``
    in ``period``."""
    sections = {c.pk: CommunitySection(community=c) for c in communities}
    if not sections:
        return sections
    if period.kind == MONTHLY:
        notes = CommunityNote.objects.filter(community_id__in=sections, period=period.key).exclude(body="")
        for note in notes:
            sections[note.community_id].note = note
    since, until = period.since, period.start

    for thread in most_helpful_threads(communities=communities, since=since, until=until, limit=THREAD_LIMIT):
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


def member_communities(*, user):
    """The communities ``user`` belongs to: the only ones a digest speaks about. One query."""
    return list(Community.objects.filter(pk__in=Membership.objects.filter(user=user).values("community_id")))


def digest_for(*, user, period, shared=None, only_community=None):
    """The digest ``user`` gets for ``period``, or None when there is nothing to say.

    Only their own communities; with ``only_community``, only that community's part
    (what its moderators may see). ``shared`` (a dict a batch passes from member to
    member) reuses the community-level content of members with the same
    communities, so a batch costs fewer queries; without it the count is still fixed.
    """
    if isinstance(period, str):
        period = parse_period(period)
    communities = member_communities(user=user)
    if only_community is not None:
        communities = [c for c in communities if c.pk == only_community.pk]
    if not communities:
        return None
    key = (period.key, frozenset(c.pk for c in communities))
    if shared is not None and key in shared:
        sections = shared[key]
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
    calls = calls_to_action(user=user, month=period)
    if only_community is not None:
        calls = calls.only(only_community)
    digest = Digest(user=user, period=period, calls=calls, sections=visible)
    return digest if digest else None
