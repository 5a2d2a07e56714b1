"""What a member's digest (and the site home's "What needs me") says.

The other apps' selectors are imported inside the functions: digests sits
above every app (DESIGN.md), and each section stays empty while an app offers
no selector. Each function runs a fixed number of queries per member,
whatever their number of communities or the amount of content.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from communities.models import Community, Membership
from digests.models import CommunityNote
from digests.periods import MONTHLY, parse_period, rolling_window

QUESTION_LIMIT = 10
# Each kind of call to action lists at most this many (soonest first); the pages hold the rest.
CALL_LIMIT = 10
THREAD_LIMIT = 5
RESOURCE_LIMIT = 5
NEW_MEMBER_LIMIT = 8


def _selector(module_name, function_name):
    """``module.function`` of another app, or None while that app does not offer it."""
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None
    return getattr(module, function_name, None)


def absolute_url(path):
    if not path:
        return settings.SITE_URL + "/"
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def _path_of(obj):
    for name in ("get_absolute_url", "url"):
        value = getattr(obj, name, None)
        if callable(value):
            value = value()
        if value:
            return str(value)
    return ""


def _first(obj, *names, default=None):
    for name in names:
        value = getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return default


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
    action: str = ""

    @property
    def url(self):
        return absolute_url(self.path)


def _community_of(obj):
    community = getattr(obj, "community", None)
    if community is None and getattr(obj, "activity", None) is not None:
        community = getattr(obj.activity, "community", None)
    if community is None and getattr(obj, "thread", None) is not None:
        community = getattr(obj.thread, "community", None)
    return community


def _responsibility_item(row):
    activity = getattr(row, "activity", None)
    title = _first(row, "task", "title", "description", default=str(row))
    detail = f"For {activity.title}" if activity is not None and getattr(activity, "title", "") else ""
    district = getattr(row, "district", None)
    if district is not None:
        detail = f"{district.name} · {detail}" if detail else district.name
    path = _path_of(row) or (_path_of(activity) if activity is not None else "")
    return Item(
        title=str(title),
        path=path,
        community=_community_of(row),
        when=_first(row, "due_at", "due", "due_date", "starts_at"),
        detail=detail,
        action="See what to do",
    )


def _occurrence_item(occurrence):
    activity = getattr(occurrence, "activity", occurrence)
    return Item(
        title=str(_first(activity, "title", "name", default=str(activity))),
        path=_path_of(occurrence) or _path_of(activity),
        community=_first(occurrence, "community", default=None) or _community_of(activity),
        when=_first(occurrence, "start", "starts_at"),
        detail=activity.get_kind_display() if hasattr(activity, "get_kind_display") else "",
        action="RSVP",
    )


def _poll_item(poll):
    return Item(
        title=str(_first(poll, "question", "title", default=str(poll))),
        path=_path_of(poll),
        community=_community_of(poll),
        when=_first(poll, "closes_at", "close_at", "closes"),
        action="Answer",
    )


def _thread_item(thread, action="Reply"):
    focus_area = getattr(thread, "focus_area", None)
    detail = f"In {focus_area.name}" if focus_area is not None else ""
    helpful = getattr(thread, "helpful_in_period", 0)
    if helpful:
        detail = f"{helpful} found it helpful" + (f" · {detail}" if detail else "")
    return Item(
        title=str(_first(thread, "title", default=str(thread))),
        path=_path_of(thread),
        community=_community_of(thread),
        when=_first(thread, "created_at"),
        detail=detail,
        action=action,
    )


def _resource_item(resource):
    return Item(
        title=str(_first(resource, "title", "name", default=str(resource))),
        path=_path_of(resource),
        community=_community_of(resource),
        detail="Featured" if getattr(resource, "is_featured_in_window", False) else "",
        action="Open",
    )


@dataclass
class CallsToAction:
    responsibilities: list = field(default_factory=list)
    polls: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    questions: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.responsibilities or self.polls or self.activities or self.questions)

    @property
    def count(self):
        return len(self.responsibilities) + len(self.polls) + len(self.activities) + len(self.questions)


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
    follow; only from their own communities. A fixed number of queries.
    """
    window = _window(month)
    # Mid-period (a preview, a late run) only what is still ahead is a call to action.
    start = max(window.start, timezone.now())
    end = max(window.end, start)
    calls = CallsToAction()
    responsibilities = _selector("calendar_app.selectors", "open_responsibilities_for")
    if responsibilities is not None:
        calls.responsibilities = [
            _responsibility_item(r) for r in responsibilities(user=user, start=start, end=end)[:CALL_LIMIT]
        ]
    polls = _selector("polls.selectors", "open_polls_unanswered_by")
    if polls is not None:
        calls.polls = [_poll_item(p) for p in polls(user=user)[:CALL_LIMIT]]
    occurrences = _selector("calendar_app.selectors", "upcoming_occurrences_for")
    if occurrences is not None:
        calls.activities = [_occurrence_item(o) for o in occurrences(user=user, start=start, end=end)[:CALL_LIMIT]]
    questions = _selector("discussions.selectors", "unanswered_questions_for")
    if questions is not None:
        calls.questions = [_thread_item(t, action="Answer") for t in questions(user=user, limit=QUESTION_LIMIT)]
    return calls


@dataclass
class CommunitySection:
    community: Community
    note: CommunityNote | None = None
    threads: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    new_members: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.note or self.threads or self.resources or self.new_members)

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
    """Notes, most helpful threads, featured resources and new members of ``communities`` in ``period``."""
    sections = {c.pk: CommunitySection(community=c) for c in communities}
    if not sections:
        return sections
    if period.kind == MONTHLY:
        notes = CommunityNote.objects.filter(community_id__in=sections, period=period.key).exclude(body="")
        for note in notes:
            sections[note.community_id].note = note
    since, until = period.since, period.start

    threads = _selector("discussions.selectors", "most_helpful_threads")
    if threads is not None:
        for thread in threads(communities=communities, since=since, until=until, limit=THREAD_LIMIT):
            section = sections.get(thread.community_id)
            if section is not None:
                section.threads.append(_thread_item(thread, action="Read"))

    resources = _selector("resources.selectors", "featured_and_approved")
    if resources is not None:
        for resource in resources(communities=communities, since=since, until=until):
            section = sections.get(resource.community_id)
            if section is not None and len(section.resources) < RESOURCE_LIMIT:
                section.resources.append(_resource_item(resource))

    new_members = _selector("communities.selectors", "new_members")
    if new_members is not None:
        for row in new_members(communities=communities, since=since, until=until):
            person = getattr(row, "user", row)
            community_id = getattr(row, "community_id", None)
            section = sections.get(community_id)
            if section is not None and len(section.new_members) < NEW_MEMBER_LIMIT:
                section.new_members.append(person)
    return sections


def member_communities(*, user):
    """The communities ``user`` belongs to: the only ones a digest speaks about. One query."""
    return list(Community.objects.filter(pk__in=Membership.objects.filter(user=user).values("community_id")))


def digest_for(*, user, period, shared=None):
    """The digest ``user`` gets for ``period``, or None when there is nothing to say.

    Only their own communities. ``shared`` (a dict a batch passes from member to
    member) reuses the community-level content of members with the same
    communities, so a batch costs fewer queries; without it the count is still fixed.
    """
    if isinstance(period, str):
        period = parse_period(period)
    communities = member_communities(user=user)
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
        )
        if trimmed:
            visible.append(trimmed)
    digest = Digest(user=user, period=period, calls=calls_to_action(user=user, month=period), sections=visible)
    return digest if digest else None
