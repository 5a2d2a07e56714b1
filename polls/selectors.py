"""Reads on polls shared by pages, panels and the digest. Each runs a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Now
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from communities.permissions import Access
from core import search as core_search
from core.compiled import Compiled, prefetched
from polls.models import Ballot, BallotChoice, Choice, Participation, Poll, SealedAnswer, open_q
from polls.sealing import unseal

TEXT_ANSWERS_SHOWN = 50


def _answered(user: User) -> Exists:
    if user is None or not user.is_authenticated:
        return Exists(Participation.objects.none())
    return Exists(Participation.objects.filter(poll=OuterRef("pk"), user=user))


def polls_for_list(*, access: Access, status: str = Poll.Status.OPEN, now: datetime | None = None) -> QuerySet[Poll]:
    """Polls of ``access.community`` in one status, with voter counts and whether the viewer answered.

    Scheduled polls only for those who run polls (empty otherwise). One query per page.
    """
    now = now or timezone.now()
    qs = Poll.objects.filter(community=access.community)
    if status == Poll.Status.SCHEDULED:
        if not access.may_schedule:
            return Poll.objects.none()
        qs = qs.filter(opens_at__gt=now).order_by("opens_at", "pk")
    elif status == Poll.Status.CLOSED:
        qs = qs.filter(closes_at__lte=now).order_by("-closes_at", "-pk")
    else:
        qs = qs.filter(open_q(now)).order_by("closes_at", "-opens_at", "-pk")
    return qs.select_related("focus_area", "community").annotate(
        num_voters=Count("participations", distinct=True), answered=_answered(access.user)
    )


def poll_counts(*, access: Access, now: datetime | None = None) -> dict[str, int]:
    """How many polls are open, scheduled (for leaders) and closed: one query."""
    now = now or timezone.now()
    return Poll.objects.filter(community=access.community).aggregate(
        open=Count("pk", filter=open_q(now)),
        scheduled=Count("pk", filter=Q(opens_at__gt=now)),
        closed=Count("pk", filter=Q(closes_at__lte=now)),
    )


@cache
def _page_statements() -> tuple[Compiled, Compiled]:
    """poll_for_page's poll (with its focus area and author) and its choices, compiled once (core.compiled)."""

    def poll(community, poll):
        return Poll.objects.filter(community_id=community, pk=poll).select_related("focus_area", "created_by")

    return Compiled(poll, community=int, poll=int), Compiled(lambda poll: Choice.objects.filter(poll_id=poll), poll=int)


def poll_for_page(*, access: Access, poll_id: int) -> Poll:
    """One poll of ``access.community`` with its choices; 404 for another community's poll
    and for a scheduled poll to someone who does not run polls. Two queries, compiled once."""
    poll_statement, choices_statement = _page_statements()
    found = poll_statement(community=access.community.pk, poll=int(poll_id))
    if not found:
        raise Http404("No poll found.")
    poll = found[0]
    poll.community = access.community
    prefetched(poll, "choices", choices_statement(poll=poll.pk))
    if poll.is_scheduled and not access.may_schedule:
        raise Http404("No poll found.")
    return poll


@dataclass
class MyAnswer:
    """What the viewer answered: for anonymous polls only *that* they answered."""

    answered: bool = False
    choice_ids: set = field(default_factory=set)
    text: str = ""


def _answer_query(*, poll_id: int, voter_id: int) -> QuerySet:
    # One ballot per member and poll (one_ballot_per_member): a row per pick, or one row with no pick.
    return Ballot.objects.filter(poll_id=poll_id, voter_id=voter_id).values_list("text", "picks__choice_id").order_by()


def _counts_query(*, poll_id: int, community_id: int) -> QuerySet:
    """Each choice of the poll with its picks, and the poll's voters and the community's members: (id, label,
    position, picks, voters, members), in order. Each is a COUNT(*) subquery, which PostgreSQL answers from
    the foreign key's index alone (the voters and members once, as they are uncorrelated); counting a joined
    column read every pick's row: 5.4 -> 3.2 ms for 2,500 picks on a busy machine."""

    def counted(rows: QuerySet, by: str) -> Coalesce:
        return Coalesce(Subquery(rows.order_by().values(by).annotate(n=Count("*")).values("n")), 0)

    return (
        Choice.objects.filter(poll_id=poll_id)
        .annotate(
            num=counted(BallotChoice.objects.filter(choice=OuterRef("pk")), "choice"),
            voters=counted(Participation.objects.filter(poll_id=poll_id), "poll"),
            members=counted(Membership.objects.filter(community_id=community_id), "community"),
        )
        .order_by("position", "pk")
        .values_list("pk", "label", "position", "num", "voters", "members")
    )


# The slots of each fixed-shape query of the poll page, compiled once per process (core.compiled).
_SLOTS: dict[Callable[..., QuerySet], tuple[str, ...]] = {
    _answer_query: ("poll_id", "voter_id"),
    _counts_query: ("poll_id", "community_id"),
}


@cache
def _compiled(query) -> Compiled:
    return Compiled(query, **dict.fromkeys(_SLOTS[query], int))


def _rows(query, **values) -> list[tuple]:
    """``list(query(**values))``, its SQL compiled once."""
    return _compiled(query)(**values)


def my_answer(*, poll: Poll, user: Any) -> MyAnswer:
    """The viewer's answer to ``poll``: one query (its ballot with the choices it picked, joined)."""
    if user is None or not user.is_authenticated:
        return MyAnswer()
    if poll.is_anonymous:
        return MyAnswer(answered=Participation.objects.filter(poll=poll, user=user).exists())
    rows = _rows(_answer_query, poll_id=poll.pk, voter_id=user.pk)
    if not rows:
        return MyAnswer()
    return MyAnswer(answered=True, choice_ids={choice_id for _text, choice_id in rows if choice_id}, text=rows[0][0])


@dataclass
class ChoiceResult:
    choice: Choice
    count: int
    percent: float


@dataclass
class DistrictRow:
    name: str
    members: int
    voters: int
    counts: list  # one count per choice, in choice order

    @property
    def response_rate(self) -> int:
        return round(100 * self.voters / self.members) if self.members else 0


@dataclass
class Results:
    poll: Poll
    voters: int
    members: int
    choices: list
    mean: float | None = None
    districts: list = field(default_factory=list)
    text_answers: list = field(default_factory=list)
    text_answer_count: int = 0

    @property
    def response_rate(self) -> int:
        return round(100 * self.voters / self.members) if self.members else 0


def _sealed_tallies(polls: Iterable[Poll]) -> dict[int, tuple[Counter[int], list[str]]]:
    """For each anonymous poll: a Counter of choice ids and the texts of answers still sealed. One query.

    Results count them at once; they become ballots only when the poll closes.
    """
    tallies: dict[int, tuple[Counter[int], list[str]]] = {p.pk: (Counter(), []) for p in polls if p.is_anonymous}
    if tallies:
        for poll_id, sealed in SealedAnswer.objects.filter(poll_id__in=list(tallies)).values_list("poll_id", "sealed"):
            choice_ids, text = unseal(sealed, poll_id=poll_id)
            tallies[poll_id][0].update(choice_ids)
            if text:
                tallies[poll_id][1].append(text)
    return tallies


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def poll_results(*, poll: Poll, with_districts: bool = True) -> Results:
    """Counts, percentages, response rate and (named polls) the district breakdown.

    Percentages are of voters, so multiple-choice rows may add up to more than 100.
    At most seven queries, whatever the number of ballots; one for a named poll with choices shown to
    someone who does not run polls (no district breakdown).
    """
    counted = _rows(_counts_query, poll_id=poll.pk, community_id=poll.community_id)
    choices = [Choice(pk=pk, poll=poll, label=label, position=position) for pk, label, position, *_counts in counted]
    picked = {row[0]: row[3] for row in counted}
    if counted:
        voters, members = counted[0][4], counted[0][5]
    else:
        voters = Participation.objects.filter(poll=poll).count()
        members = Membership.objects.filter(community_id=poll.community_id).count()
    sealed_counts, sealed_texts = _sealed_tallies([poll]).get(poll.pk, (Counter(), []))
    counts = [picked[c.pk] + sealed_counts[c.pk] for c in choices]
    rows = [ChoiceResult(choice=c, count=n, percent=_percent(n, voters)) for c, n in zip(choices, counts, strict=True)]
    results = Results(poll=poll, voters=voters, members=members, choices=rows)
    if poll.is_scale:
        picks = sum(row.count for row in rows)
        weighted = sum((i + 1) * row.count for i, row in enumerate(rows))
        results.mean = round(weighted / picks, 2) if picks else None
    if poll.is_text:
        answers = Ballot.objects.filter(poll=poll).exclude(text="")
        results.text_answer_count = answers.count() + len(sealed_texts)
        if poll.is_anonymous:
            # UUID keys: this order is random, not the order people answered in; sealed ones sorted.
            mixed = [b.text for b in answers.order_by("pk")[:TEXT_ANSWERS_SHOWN]]
            results.text_answers = [(None, text) for text in (mixed + sorted(sealed_texts))[:TEXT_ANSWERS_SHOWN]]
        else:
            answers = answers.select_related("voter").order_by("-updated_at")[:TEXT_ANSWERS_SHOWN]
            results.text_answers = [(b.voter, b.text) for b in answers]
    if with_districts and not poll.is_anonymous:
        results.districts = _district_breakdown(poll, choices)
    return results


NO_DISTRICT = "No district given"


def _district_breakdown(poll: Poll, choices: Sequence[Choice]) -> list[DistrictRow]:
    members = (
        Membership.objects.filter(community_id=poll.community_id).values("user__district__name").annotate(n=Count("pk"))
    )
    voters = Ballot.objects.filter(poll=poll).values("voter__district__name").annotate(n=Count("pk"))
    picks = (
        BallotChoice.objects.filter(ballot__poll=poll)
        .values("ballot__voter__district__name", "choice_id")
        .annotate(n=Count("pk"))
    )
    rows = {}
    for entry in members:
        name = entry["user__district__name"] or NO_DISTRICT
        rows[name] = DistrictRow(name=name, members=entry["n"], voters=0, counts=[0] * len(choices))
    position = {choice.pk: i for i, choice in enumerate(choices)}
    for voted in voters:
        name = voted["voter__district__name"] or NO_DISTRICT
        row = rows.setdefault(name, DistrictRow(name=name, members=0, voters=0, counts=[0] * len(choices)))
        row.voters = voted["n"]
    for pick in picks:
        name = pick["ballot__voter__district__name"] or NO_DISTRICT
        if name in rows and pick["choice_id"] in position:
            rows[name].counts[position[pick["choice_id"]]] = pick["n"]
    return sorted(rows.values(), key=lambda row: (row.name == NO_DISTRICT, row.name))


@dataclass
class Round:
    poll: Poll
    voters: int
    percents: list  # one percentage per choice position
    counts: list
    mean: float | None = None


def series_rounds(*, poll: Poll) -> list[Round]:
    """Every round of ``poll``'s series that has opened, oldest first, with per-choice percentages.

    Choices are matched by position (a repeat copies them). Two queries.
    """
    if poll.series_id is None:
        return []
    now = timezone.now()
    polls = list(
        Poll.objects.filter(series_id=poll.series_id, opens_at__lte=now)
        .select_related("community")
        .annotate(num_voters=Count("participations", distinct=True))
        .order_by("round")
    )
    counts = (
        Choice.objects.filter(poll__in=[p.pk for p in polls])
        .annotate(num=Count("picks"))
        .values_list("poll_id", "position", "num")
    )
    width = len(poll.choices.all())
    by_poll = {p.pk: [0] * width for p in polls}
    for poll_id, position, num in counts:
        if position < width:
            by_poll[poll_id][position] = num
    tallies = _sealed_tallies(polls)
    if tallies:
        positions = dict(Choice.objects.filter(poll_id__in=list(tallies)).values_list("pk", "position"))
        for poll_id, (choice_counts, _texts) in tallies.items():
            for choice_id, n in choice_counts.items():
                at = positions.get(choice_id)
                if at is not None and at < width:
                    by_poll[poll_id][at] += n
    rounds = []
    for p in polls:
        row = by_poll[p.pk]
        mean = None
        if p.is_scale and sum(row):
            mean = round(sum((i + 1) * n for i, n in enumerate(row)) / sum(row), 2)
        rounds.append(
            Round(poll=p, voters=p.num_voters, counts=row, percents=[_percent(n, p.num_voters) for n in row], mean=mean)
        )
    return rounds


def open_polls_unanswered_by(
    *, user: User, community: Community | None = None, now: datetime | None = None
) -> QuerySet[Poll]:
    """Open polls in communities ``user`` belongs to that they have not answered yet, with
    ``community`` loaded, soonest closing first. One query (for pages, panels and the digest)."""
    if user is None or not user.is_authenticated:
        return Poll.objects.none()
    now = now or timezone.now()
    mine = Membership.objects.filter(user=user).values("community_id")
    qs = (
        Poll.objects.filter(open_q(now), community_id__in=mine)
        .exclude(Exists(Participation.objects.filter(poll=OuterRef("pk"), user=user)))
        .select_related("community", "focus_area")
    )
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("closes_at", "-opens_at", "pk")


def anonymous_text_answers(*, poll: Poll) -> Iterator[str]:
    """Every text answer of an anonymous poll, in random (UUID) order then sealed ones sorted, nothing else."""
    yield from Ballot.objects.filter(poll=poll).exclude(text="").order_by("pk").values_list("text", flat=True)
    yield from sorted(_sealed_tallies([poll]).get(poll.pk, (None, []))[1])


def named_ballots_for_export(*, poll: Poll) -> QuerySet[Ballot]:
    """Ballots of a named poll with voter, district and picked choices: two queries."""
    return (
        Ballot.objects.filter(poll=poll, voter__isnull=False)
        .select_related("voter", "voter__district")
        .prefetch_related(
            Prefetch("picks", queryset=BallotChoice.objects.select_related("choice").order_by("choice__position"))
        )
        .order_by("voter__district__name", "voter__display_name", "voter__username")
    )


def search_section(
    *,
    viewer: User,
    terms: core_search.Terms,
    scope: core_search.Scope,
    filters: core_search.Filters,
    page_number: int | str | None,
    per_page: int,
) -> core_search.Section:
    """Polls that have opened, matching ``terms`` in communities ``scope`` allows (site search): two queries.

    Scheduled polls stay out: only those who run polls may see them before they open.
    """
    # Now(): the database's clock, so the compiled rows hold no time of their own.
    rows = core_search.Rows(
        Poll,
        ("polls", scope, filters),
        lambda: filters.apply(Poll.objects.filter(scope.q(), opens_at__lte=Now()), author_field="created_by"),
    )
    return core_search.ranked_section(
        rows,
        terms,
        kind="polls",
        label="Polls",
        template="polls/includes/search_hits.html",
        page_number=page_number,
        per_page=per_page,
        snippet_field="description",
    )


# A district's or focus area's answers show only when at least this many answered that round, so a
# figure never stands for one or two people's answers.
MIN_GROUP_ANSWERS = 3


@dataclass
class GroupTrend:
    """One district or focus area over the rounds of a series: voters and picks per round.

    ``hidden[i]`` says round i had answers from fewer than MIN_GROUP_ANSWERS people there: its
    percentages and average are withheld (the number of voters still shows).
    """

    key: str  # "all", "district-<id>" or "area-<id>"
    kind: str  # "", "District" or "Focus area"
    name: str
    voters: list
    counts: list  # per round: one count per choice position
    is_scale: bool = False

    @property
    def hidden(self) -> list[bool]:
        return [self.key != "all" and 0 < n < MIN_GROUP_ANSWERS for n in self.voters]

    @property
    def means(self) -> list[float | None]:
        found = []
        for row, hidden in zip(self.counts, self.hidden, strict=True):
            picks = sum(row)
            shown = self.is_scale and picks and not hidden
            found.append(round(sum((i + 1) * n for i, n in enumerate(row)) / picks, 2) if shown else None)
        return found

    @property
    def total_voters(self) -> int:
        return sum(self.voters)

    @property
    def cells(self) -> list[tuple[int, bool, float | None]]:
        """Per round: (voters, hidden, average) for the table."""
        return list(zip(self.voters, self.hidden, self.means, strict=True))

    def as_rounds(self, rounds: list[Round]) -> list[Any]:
        """The group's figures as ``Round`` rows (percentages None where hidden), for ``trend_chart``."""
        found = []
        for i, r in enumerate(rounds):
            hidden = self.hidden[i]
            percents = [None if hidden else _percent(n, self.voters[i]) for n in self.counts[i]]
            counts = [None if hidden else n for n in self.counts[i]]
            mean = self.means[i]
            found.append(Round(poll=r.poll, voters=self.voters[i], percents=percents, counts=counts, mean=mean))
        return found


def group_trends(*, poll: Poll, rounds: list[Round]) -> list[GroupTrend]:
    """The series' rounds for the whole community, each district (voters' districts) and each focus area
    (its followers): a list of ``GroupTrend``, community first. Four queries whatever the number of rounds,
    ballots, districts or focus areas. Anonymous rounds count for the community only (no voter is stored).
    """
    if not rounds:
        return []
    width = len(rounds[0].counts)
    index = {r.poll.pk: i for i, r in enumerate(rounds)}
    ids = list(index)
    scale = poll.is_scale
    everyone = GroupTrend(
        key="all", kind="", name="Whole community", voters=[r.voters for r in rounds],
        counts=[list(r.counts) for r in rounds], is_scale=scale,
    )  # fmt: skip
    groups: dict[str, GroupTrend] = {}

    def group(key: str) -> GroupTrend:
        if key not in groups:
            groups[key] = GroupTrend(
                key=key, kind="", name="", voters=[0] * len(rounds),
                counts=[[0] * width for _ in rounds], is_scale=scale,
            )  # fmt: skip
        return groups[key]

    named = Ballot.objects.filter(poll_id__in=ids, voter__isnull=False)
    picks = BallotChoice.objects.filter(ballot__poll_id__in=ids, ballot__voter__isnull=False)
    here = {"voter__followed_focus_areas__community_id": poll.community_id}
    sources = (
        ("district", "District", named.values_list("poll_id", "voter__district_id", "voter__district__name"),
         picks.values_list("ballot__poll_id", "ballot__voter__district_id", "choice__position")),
        ("area", "Focus area", named.filter(**here).values_list(
            "poll_id", "voter__followed_focus_areas", "voter__followed_focus_areas__name"),
         picks.filter(**{f"ballot__{k}": v for k, v in here.items()}).values_list(
            "ballot__poll_id", "ballot__voter__followed_focus_areas", "choice__position")),
    )  # fmt: skip
    for prefix, kind, voters, chosen in sources:
        for poll_id, key, name, n in voters.annotate(n=Count("pk")).order_by():
            if key is not None:
                found = group(f"{prefix}-{key}")
                found.kind, found.name = kind, name
                found.voters[index[poll_id]] = n
        for poll_id, key, position, n in chosen.annotate(n=Count("pk")).order_by():
            if key is not None and position < width:
                group(f"{prefix}-{key}").counts[index[poll_id]][position] = n
    ordered = sorted(
        (g for g in groups.values() if g.name), key=lambda g: (g.kind != "District", g.name.lower(), g.key)
    )
    return [everyone, *ordered]


def open_polls_unanswered_by_many(*, users, communities_of, now=None):
    """``open_polls_unanswered_by`` for a batch of people: {user id: [poll, ...]}, two queries.

    ``communities_of`` maps each user id to the ids of their communities.
    """
    now = now or timezone.now()
    communities = set().union(*(set(ids) for ids in communities_of.values()))
    polls = list(
        Poll.objects.filter(open_q(now), community_id__in=communities)
        .select_related("community", "focus_area")
        .order_by("closes_at", "-opens_at", "pk")
    )
    answered = set(
        Participation.objects.filter(poll__in=[poll.pk for poll in polls], user__in=[user.pk for user in users])
        .values_list("poll_id", "user_id")
        .order_by()
    )
    return {
        user.pk: [
            poll
            for poll in polls
            if poll.community_id in communities_of.get(user.pk, ()) and (poll.pk, user.pk) not in answered
        ]
        for user in users
    }
