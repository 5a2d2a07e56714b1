"""The community health dashboard: every figure as a table (for the page, its chart and its CSV).

``dashboard`` runs a fixed number of queries whatever the data size: on PostgreSQL one statement
(``reports.health_sql``) in which each figure is an aggregate over indexed columns (community and time),
and the pulse trend by round's when a repeating poll opened. Months are the viewer's (current) zone.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone

from calendar_app.models import RSVP, Attendance, Responsibility
from communities.models import FocusArea, Membership
from discussions.models import Post, Thread
from polls.models import BallotChoice, Participation, Poll
from polls.selectors import MIN_GROUP_ANSWERS, group_trends, series_rounds
from reports import health_sql
from reports.charts import chart
from resources.models import Resource

QUIET_DAYS = 60
QUIET_SHOWN = 100
ACTIVITIES_SHOWN = 60
COMMUNITY = "Whole community"
NO_DISTRICT = "No district"
# "Last active" of a member who never did anything: sorts first, shown as "never".
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Table:
    slug: str
    title: str
    header: list
    rows: list
    chart: dict | None = None
    chart_description: str = ""
    note: str = ""
    total_rows: int | None = None  # when the page shows fewer rows than the CSV has


@dataclass
class Dashboard:
    period: object
    months: list
    tables: dict = field(default_factory=dict)
    district: object = None  # a district leader's own district

    def __iter__(self):
        return iter(self.tables.values())


def _month_label(month):
    return month.strftime("%b %Y")


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _hours(seconds):
    return round(seconds / 3600, 1) if seconds is not None else None


def _tz():
    return timezone.get_current_timezone_name()


# -- the rows behind the figures ---------------------------------------------------------------
# ``_raw_portable`` (any database) and ``reports.health_sql.figures`` (PostgreSQL, one statement) give
# the same rows; ``dashboard`` turns them into tables. Months are dates (the first of the viewer's month).


def _local_month(moment):
    """The first day of ``moment``'s month in the viewer's zone."""
    return timezone.localtime(moment).date().replace(day=1)


def _raw_portable(*, community, period, params):
    """Every figure's rows with the ORM, a query or two each: what ``health_sql.figures`` gives in one."""
    start, end, happened = params["start"], params["end"], params["happened"]
    raw: dict[str, Any] = {}
    memberships = Membership.objects.filter(community=community)
    raw["members"] = list(
        memberships.values_list("user__district_id", "user__district__name").annotate(n=Count("pk")).order_by()
    )
    districts = dict(memberships.values_list("user_id", "user__district_id"))
    acts = [
        *Thread.objects.filter(community=community, created_at__gte=start, created_at__lt=end).values_list(
            "author_id", "created_at"
        ),
        *Post.objects.filter(community=community, created_at__gte=start, created_at__lt=end).values_list(
            "author_id", "created_at"
        ),
        *Attendance.objects.filter(
            activity__community=community, attended_on__gte=start, attended_on__lt=end
        ).values_list("user_id", "attended_on"),
        *Participation.objects.filter(
            poll__community=community, poll__opens_at__gte=start, poll__opens_at__lt=end
        ).values_list("user_id", "poll__opens_at"),
    ]
    groups: dict[tuple, set] = {}
    for user_id, moment in acts:
        if user_id not in districts:
            continue
        month, district = _local_month(moment), districts[user_id]
        for key in ((district, month), (district, None), ("all", month), ("all", None)):
            groups.setdefault(key, set()).add(user_id)
    raw["active"] = {key: len(users) for key, users in groups.items()}

    def by_month(queryset, date_field, group):
        rows = queryset.annotate(month=TruncMonth(date_field)).values(group, "month").annotate(n=Count("*"))
        return [(kind, _local_month(month), n) for kind, month, n in rows.values_list(group, "month", "n")]

    threads = Thread.objects.filter(community=community, created_at__gte=start, created_at__lt=end, is_hidden=False)
    raw["threads"] = by_month(threads, "created_at", "kind")
    replies = Post.objects.filter(
        community=community, created_at__gte=start, created_at__lt=end, is_hidden=False, is_deleted=False
    )
    raw["replies"] = by_month(replies, "created_at", "thread__kind")
    raw["questions"] = _questions_in_python(community=community, start=start, end=end)
    raw["areas"] = list(FocusArea.objects.filter(community=community).values_list("pk", "name"))
    in_period = Q(occurrence_start__gte=start, occurrence_start__lt=happened) | Q(
        occurrence_start=None, activity__start__gte=start, activity__start__lt=happened
    )
    raw["going"] = list(
        RSVP.objects.filter(in_period, activity__community=community, response=RSVP.Response.GOING)
        .values_list("activity_id", "occurrence_start", "activity__start", "activity__title")
        .annotate(n=Count("pk"))
        .order_by("activity_id", "occurrence_start")
    )
    attended = (
        Attendance.objects.filter(attended_on__gte=start, attended_on__lt=happened, activity__community=community)
        .values_list("activity_id", "occurrence_start", "activity__title")
        .annotate(n=Count("pk"), at=Max("attended_on"))
        .order_by("activity_id", "occurrence_start")
    )
    raw["attended"] = [(activity_id, occurrence, n, at, title) for activity_id, occurrence, title, n, at in attended]
    polls = Poll.objects.filter(community=community, opens_at__gte=start, opens_at__lt=end)
    raw["poll_count"] = polls.count()
    raw["poll_answers"] = list(
        Participation.objects.filter(poll__in=polls, user__memberships__community=community)
        .values_list("user__district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    picks = (
        BallotChoice.objects.filter(ballot__poll__in=polls.filter(kind=Poll.Kind.SCALE))
        .annotate(month=TruncMonth("ballot__poll__opens_at"))
        .values_list("month", "ballot__poll__focus_area_id", "ballot__voter__district_id")
        .annotate(total=Sum(F("choice__position") + 1), n=Count("pk"))
    )
    raw["picks"] = [(_local_month(month), *rest) for month, *rest in picks]
    repeating = polls.filter(kind=Poll.Kind.SCALE, series__isnull=False).order_by("-opens_at", "-pk")
    raw["series_poll"] = repeating.values_list("pk", flat=True).first()
    raw["resources"] = list(
        Resource.objects.filter(community=community)
        .aggregate(
            submitted=Count("pk", distinct=True, filter=Q(created_at__gte=start, created_at__lt=end)),
            approved=Count("pk", distinct=True, filter=Q(approved_at__gte=start, approved_at__lt=end)),
            featured=Count("pk", distinct=True, filter=Q(featured_at__gte=start, featured_at__lt=end)),
            useful=Count(
                "useful_marks", filter=Q(useful_marks__created_at__gte=start, useful_marks__created_at__lt=end)
            ),
        )
        .values()
    )
    today, done = params["today"], Q(status=Responsibility.Status.DONE)
    raw["duties"] = list(
        Responsibility.objects.filter(
            activity__community=community, due_date__gte=period.first, due_date__lte=period.last
        )
        .values_list("district_id", "district__name")
        .annotate(
            on_time=Count("pk", filter=done & (Q(done_at=None) | Q(done_at__date__lte=F("due_date")))),
            late=Count("pk", filter=done & Q(done_at__date__gt=F("due_date"))),
            overdue=Count("pk", filter=~done & Q(due_date__lt=today)),
            coming=Count("pk", filter=~done & Q(due_date__gte=today)),
        )
        .order_by()
    )
    quiet = _quiet_members_queryset(community=community, cutoff=params["cutoff"], district_id=params["own"])
    total = quiet.count()
    raw["quiet"] = [
        (m.user.name, m.user.username, m.user.district.name if m.user.district else None, m.joined_at,
         m.last_active, total)
        for m in quiet[: params["quiet_limit"]]
    ]  # fmt: skip
    return raw


def _raw_from_postgresql(*, params):
    raw = health_sql.figures(params=params)
    active = {}
    for whole_community, district_id, total, *by_month in raw["active"]:
        key = "all" if whole_community else district_id
        active[(key, None)] = total
        active.update({(key, month): n for month, n in zip(params["months"], by_month, strict=True) if n})
    raw["active"] = active
    return raw


def figure_params(*, community, period, own=None, now=None):
    """What every figure's query needs: the period's moments, the viewer's zone and day, the quiet cutoff."""
    now = now or timezone.now()
    return {
        "community": community.pk,
        "start": period.start,
        "end": period.end,
        "happened": min(period.end, now),
        "first": period.first,
        "last": period.last,
        "months": period.months(),
        "today": timezone.localdate(now),
        "zone": _tz(),
        "cutoff": now - timedelta(days=QUIET_DAYS),
        "epoch": EPOCH,
        "quiet_limit": QUIET_SHOWN,
        "own": own,
        "question": Thread.Kind.QUESTION,
        "going": RSVP.Response.GOING,
        "scale": Poll.Kind.SCALE,
        "done": Responsibility.Status.DONE,
    }


def raw_figures(*, community, period, own=None, now=None):
    """The rows behind every figure for ``period`` (``own``: a district leader's district id): one query
    on PostgreSQL, about twenty elsewhere."""
    params = figure_params(community=community, period=period, own=own, now=now)
    if connection.vendor == "postgresql":
        return _raw_from_postgresql(params=params)
    return _raw_portable(community=community, period=period, params=params)


def _questions_in_python(*, community, start, end):
    from statistics import median

    first = Min("posts__created_at", filter=Q(posts__parent=None, posts__is_hidden=False, posts__is_deleted=False))
    questions = (
        Thread.objects.filter(
            community=community, kind=Thread.Kind.QUESTION, is_hidden=False, created_at__gte=start, created_at__lt=end
        )
        .annotate(first_at=first)
        .values_list("focus_area_id", "created_at", "first_at", "accepted_post__created_at", "accepted_post_id")
    )
    groups: dict[tuple, list] = {
        (1, None): []
    }  # as GROUPING SETS (..., ()) gives: the community's row even with no question
    for area, created, first_at, accepted_at, accepted in questions:
        for key in ((0, area), (1, None)):
            groups.setdefault(key, []).append((created, first_at, accepted_at, accepted))
    rows = []
    for (grouped, area), items in groups.items():
        waits = [(f - c).total_seconds() for c, f, _a, _x in items if f]
        accepts = [(a - c).total_seconds() for c, _f, a, _x in items if a]
        rows.append(
            (
                grouped,
                area,
                len(items),
                len(waits),
                len(items) - len(waits),
                sum(1 for *_r, x in items if x),
                median(waits) if waits else None,
                median(accepts) if accepts else None,
            )
        )
    return rows


def _district_rows(district_ids, names, own_district_id):
    """Which districts get a row: a leader sees only their own (the community row is always there)."""
    if own_district_id is not None:
        return [own_district_id]
    return sorted(district_ids, key=lambda d: (d is None, names.get(d, "")))


def dashboard(*, community, period, own_district=None):  # noqa: C901 - one figure after another, read top down
    """Every figure of the dashboard for ``period``; ``own_district`` limits district and member rows.

    One query on PostgreSQL (``health_sql``), and the pulse trend by round's when a repeating poll opened.
    """
    months = period.months()
    month_labels = [_month_label(m) for m in months]
    own = own_district.pk if own_district is not None else None
    board = Dashboard(period=period, months=months, district=own_district)
    raw = raw_figures(community=community, period=period, own=own)

    members, names = {}, {}
    for district_id, name, n in raw["members"]:
        members[district_id] = n
        names[district_id] = name
    active = raw["active"]
    # Active members are members: their districts are among the members' (and named with them).
    district_ids = set(members)
    names[None] = NO_DISTRICT
    shown_districts = _district_rows(district_ids, names, own)

    # -- active members ----------------------------------------------------------
    def active_row(key, label):
        cells = [active.get((key, m), 0) for m in months]
        total = active.get((key, None), 0)
        base = members.get(key, 0) if key != "all" else sum(members.values())
        return [label, *cells, total, base, _rate(total, base)]

    rows = [active_row("all", COMMUNITY)] + [active_row(d, names.get(d, NO_DISTRICT)) for d in shown_districts]
    series = [(COMMUNITY, rows[0][1 : 1 + len(months)])]
    if own is not None:
        series.append((names.get(own, NO_DISTRICT), rows[1][1 : 1 + len(months)]))
    board.tables["active"] = Table(
        slug="active",
        title="Active members by district",
        header=["District", *month_labels, "In the period", "Members", "Active %"],
        rows=rows,
        chart=chart(kind="bar", labels=month_labels, series=series),
        chart_description="Bars: members who posted, replied, answered a poll or attended, per month.",
        note="Active: posted, replied, answered a poll (in the month it opened) or attended.",
    )

    # -- threads and replies by kind --------------------------------------------------
    kinds = Thread.Kind
    month_index = {m: i for i, m in enumerate(months)}

    def kind_rows(found):
        grid = {kind: [0] * len(months) for kind in kinds.values}
        for kind, month, n in found:
            i = month_index.get(month)
            if i is not None and kind in grid:
                grid[kind][i] += n
        return [[kinds(kind).label, *cells, sum(cells)] for kind, cells in grid.items()]

    thread_rows, reply_rows = kind_rows(raw["threads"]), kind_rows(raw["replies"])
    board.tables["threads"] = Table(
        slug="threads",
        title="New threads by kind",
        header=["Kind", *month_labels, "Total"],
        rows=thread_rows,
        chart=chart(
            kind="bar",
            labels=month_labels,
            series=[("Threads", [sum(r[1 + i] for r in thread_rows) for i in range(len(months))])],
        ),
        chart_description="Bars: new threads per month, all kinds together.",
    )
    board.tables["replies"] = Table(
        slug="replies",
        title="Replies by kind of thread",
        header=["Kind", *month_labels, "Total"],
        rows=reply_rows,
    )

    # -- questions per focus area ----------------------------------------------------------
    areas = dict(raw["areas"])
    rows, total = [], None
    for grouped, area_id, asked, answered, unanswered, accepted, first, accept in raw["questions"]:
        row = [
            areas.get(area_id, "No focus area"),
            asked,
            answered,
            unanswered,
            accepted,
            _hours(first),
            _hours(accept),
        ]
        if grouped:
            total = [COMMUNITY, *row[1:]]
        else:
            rows.append(row)
    rows.sort(key=lambda r: r[0])
    board.tables["questions"] = Table(
        slug="questions",
        title="Questions by focus area",
        header=[
            "Focus area",
            "Asked",
            "Answered",
            "Unanswered",
            "With an accepted answer",
            "Median hours to first reply",
            "Median hours to accepted answer",
        ],
        rows=([total] if total else [[COMMUNITY, 0, 0, 0, 0, None, None]]) + rows,
        note="Answered: has at least one reply. Questions asked in the period.",
    )

    # -- attendance against RSVPs -------------------------------------------------------
    dates = {}
    for activity_id, occurrence_start, activity_start, title, n in raw["going"]:
        dates[(activity_id, occurrence_start)] = {"title": title, "at": occurrence_start or activity_start, "going": n}
    for activity_id, occurrence_start, n, at, title in raw["attended"]:
        info = dates.setdefault((activity_id, occurrence_start), {"title": title, "at": at, "going": 0})
        info["attended"] = n
    ordered = sorted(dates.values(), key=lambda info: info["at"], reverse=True)
    rows = [
        [
            info["title"],
            timezone.localtime(info["at"]).date().isoformat(),
            info["going"],
            info.get("attended", 0),
            _rate(info.get("attended", 0), info["going"]),
        ]
        for info in ordered
    ]
    shown = rows[:ACTIVITIES_SHOWN]
    board.tables["attendance"] = Table(
        slug="attendance",
        title="Attendance against RSVPs",
        header=["Activity", "Date", "Said going", "Attended", "Attended / going %"],
        rows=rows,
        chart=chart(
            kind="bar",
            labels=[r[1][5:] for r in reversed(shown[:12])],
            series=[
                ("Said going", [r[2] for r in reversed(shown[:12])]),
                ("Attended", [r[3] for r in reversed(shown[:12])]),
            ],
        ),
        chart_description="Bars in pairs: members who said going and who attended, for the latest dates.",
        total_rows=len(rows),
    )

    # -- polls: response rate and pulse --------------------------------------------------------
    answered, poll_count = dict(raw["poll_answers"]), raw["poll_count"]

    def rate_row(key, label):
        base = members.get(key, 0) if key != "all" else sum(members.values())
        got = answered.get(key, 0) if key != "all" else sum(answered.values())
        return [label, poll_count, got, base * poll_count, _rate(got, base * poll_count)]

    rows = [rate_row("all", COMMUNITY)] + [rate_row(d, names.get(d, NO_DISTRICT)) for d in shown_districts]
    board.tables["poll_rate"] = Table(
        slug="poll_rate",
        title="Poll response rate by district",
        header=["District", "Polls opened", "Answers", "Possible answers", "Response %"],
        rows=rows,
        note="Possible answers: the district's current members times the polls opened in the period.",
    )

    # The answers' sum and count per month, focus area and voter's district (a few hundred groups at
    # most), added up here by district, by focus area and for the community.
    community_pulse = [[0, 0] for _ in months]
    district_pulse: dict[int, list] = {}
    area_pulse: dict[int | None, list] = {}
    for month, area, district, total, n in raw["picks"]:
        i = month_index.get(month)
        if i is None:
            continue
        cells = [community_pulse, area_pulse.setdefault(area, [[0, 0] for _ in months])]
        # Anonymous ballots have no voter: they count for the community and the focus area only.
        if district is not None and (own is None or district == own):
            cells.append(district_pulse.setdefault(district, [[0, 0] for _ in months]))
        for cell in cells:
            cell[i][0] += total
            cell[i][1] += n

    def averages(cells):
        return [round(s / n, 2) if n else None for s, n in cells]

    rows = [[COMMUNITY, "", *averages(community_pulse)]]
    rows += [
        ["District", names.get(d, ""), *averages(cells)]
        for d, cells in sorted(district_pulse.items(), key=lambda i: names.get(i[0], ""))
    ]
    rows += [
        ["Focus area", areas.get(a, "No focus area"), *averages(cells)]
        for a, cells in sorted(area_pulse.items(), key=lambda i: (i[0] is None, areas.get(i[0], "")))
    ]
    series = [(COMMUNITY, averages(community_pulse))]
    if own is not None and own in district_pulse:
        series.append((names.get(own, ""), averages(district_pulse[own])))
    board.tables["pulse"] = Table(
        slug="pulse",
        title="Pulse trend (agreement scale, 1 to 5)",
        header=["Group", "Name", *month_labels],
        rows=rows,
        chart=chart(kind="line", labels=month_labels, series=series, y_max=5),
        chart_description="Lines: the average answer to scale polls, by the month the poll opened.",
        note="Anonymous polls count for the community and focus areas, never for a district.",
    )

    board.tables["pulse_rounds"] = pulse_rounds_table(poll_id=raw["series_poll"], own=own)

    # -- resources --------------------------------------------------------------------------
    board.tables["resources"] = Table(
        slug="resources",
        title="Resources",
        header=["Submitted", "Approved", "Featured", "Marked useful"],
        rows=[list(raw["resources"])],
        note="Each counted in the period it happened: submitted, approved, featured, marked useful.",
    )

    # -- duties per district -----------------------------------------------------------------------
    found = {row[0]: row[2:] for row in raw["duties"]}
    # A district with duties may have no members here: its name comes with its rows.
    names.update({row[0]: row[1] for row in raw["duties"] if row[0] not in names})
    total_row = [COMMUNITY, *(sum(row[k] for row in found.values()) for k in range(4))]
    duty_districts = [own] if own is not None else sorted(found, key=lambda d: names.get(d, ""))
    rows = [total_row] + [[names.get(d, ""), *found.get(d, (0, 0, 0, 0))] for d in duty_districts]
    board.tables["duties"] = Table(
        slug="duties",
        title="District responsibilities",
        header=["District", "Done on time", "Done late", "Overdue", "Not due yet"],
        rows=rows,
        note="Responsibilities due in the period.",
    )

    # -- members gone quiet --------------------------------------------------------------------------
    board.tables["quiet"] = Table(
        slug="quiet",
        title=f"Members gone quiet (no activity in {QUIET_DAYS} days)",
        header=["Member", "Username", "District", "Joined", "Last active"],
        rows=[
            [
                name,
                username,
                district or NO_DISTRICT,
                timezone.localtime(joined_at).date().isoformat(),
                timezone.localtime(last_active).date().isoformat() if last_active.year > 1970 else "never",
            ]
            for name, username, district, joined_at, last_active, _total in raw["quiet"]
        ],
        note="Members who joined over 60 days ago and have not posted, replied, answered a poll or attended since.",
        total_rows=raw["quiet"][0][5] if raw["quiet"] else 0,
    )
    return board


PULSE_LINES = 6


def pulse_rounds_table(*, poll_id, own):
    """Every round of the repeating scale poll ``poll_id`` (the latest that opened in the period, or None):
    the community, each district (a district leader: their own) and each focus area. At most eight
    queries, whatever the number of rounds, answers, districts or focus areas; none without a poll."""
    latest = Poll.objects.filter(pk=poll_id).prefetch_related("choices").first() if poll_id is not None else None
    title = "Pulse trend by round, per district and focus area"
    note = (
        f"Average answer (1 to 5) in every round of a repeating scale poll. A district or focus area with "
        f"answers from fewer than {MIN_GROUP_ANSWERS} people in a round shows a dash, so no figure stands for one "
        f"or two people. Focus areas count the voters who follow them; anonymous rounds count for the "
        f"community only."
    )
    if latest is None:
        return Table(slug="pulse_rounds", title=title, header=["Group", "Name"], rows=[], note=note)
    # No savepoint: these are reads, and inside a request's transaction the setting simply lasts to its end.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            # The trend's queries read a few hundred answers. At the default random_page_cost (4, for
            # spinning disks) the planner hashed all 20,000 users and all 82,000 answers of the bench to
            # find them (7 and 16 ms) instead of probing indexes (0.7 and 1.8 ms); the rows are in memory,
            # as search (core/search.py) also tells the planner, for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('random_page_cost', '1.1', true)")
        rounds = series_rounds(poll=latest)
        groups = group_trends(poll=latest, rounds=rounds)
    if own is not None:
        groups = [g for g in groups if g.kind != "District" or g.key == f"district-{own}"]
    labels = [f"R{r.poll.round} {_month_label(timezone.localtime(r.poll.opens_at))}" for r in rounds]
    rows = [[g.kind or COMMUNITY, g.name if g.kind else "", *g.means] for g in groups]
    shown = [groups[0], *sorted(groups[1:], key=lambda g: (g.kind != "District", -g.total_voters))]
    series = [(f"{g.kind}: {g.name}" if g.kind else g.name, g.means) for g in shown[:PULSE_LINES]]
    return Table(
        slug="pulse_rounds",
        title=f"{title}: “{latest.question}”",
        header=["Group", "Name", *labels],
        rows=rows,
        chart=chart(kind="line", labels=labels, series=series, y_max=5) if len(rounds) > 1 else None,
        chart_description=(
            f"Lines: the average answer per round, for the community and up to {PULSE_LINES - 1} districts "
            "and focus areas with most answers."
        ),
        note=note,
    )


def _latest(model, user_field, time_field, **filters):
    return Subquery(
        model.objects.filter(**{user_field: OuterRef("user_id")}, **filters)
        .order_by()
        .values(user_field)
        .annotate(last=Max(time_field))
        .values("last")[:1]
    )


def _quiet_members_queryset(*, community, cutoff, district_id=None):
    """The same members for SQLite (``make run``'s demo), as a queryset."""
    epoch = EPOCH
    last = Greatest(
        Coalesce(_latest(Thread, "author", "created_at", community=community), epoch),
        Coalesce(_latest(Post, "author", "created_at", community=community), epoch),
        Coalesce(_latest(Attendance, "user", "attended_on", activity__community=community), epoch),
        Coalesce(_latest(Participation, "user", "poll__opens_at", poll__community=community), epoch),
    )
    members = Membership.objects.filter(community=community, joined_at__lt=cutoff)
    if district_id is not None:
        members = members.filter(user__district_id=district_id)
    return (
        members.select_related("user", "user__district")
        .annotate(last_active=last)
        .filter(last_active__lt=cutoff)
        .order_by("last_active", "user__display_name", "pk")
    )


HIGHLIGHTS = 5


def highlights(*, community, period):
    """The impact report's highlights in ``period``: three queries of at most five rows each."""
    threads = Thread.objects.filter(
        community=community, is_hidden=False, created_at__gte=period.start, created_at__lt=period.end
    ).select_related("community")
    return {
        "helpful": list(threads.filter(helpful_count__gt=0).order_by("-helpful_count", "-created_at")[:HIGHLIGHTS]),
        "lessons": list(threads.filter(kind=Thread.Kind.LESSON).order_by("-helpful_count", "-created_at")[:HIGHLIGHTS]),
        "featured": list(
            Resource.objects.filter(
                community=community,
                status=Resource.Status.FEATURED,
                featured_at__gte=period.start,
                featured_at__lt=period.end,
            )
            .select_related("community")
            .order_by("-featured_at")[:HIGHLIGHTS]
        ),
    }
