"""The community health dashboard: every figure as a table (for the page, its chart and its CSV).

``dashboard`` runs a fixed number of queries (about twenty) whatever the data size: each figure is one
aggregate in SQL, over indexed columns (community and time). Months are the viewer's (current) zone.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone

from accounts.models import District
from calendar_app.models import RSVP, Activity, Attendance, Responsibility
from communities.models import FocusArea, Membership
from discussions.models import Post, Thread
from polls.models import BallotChoice, Participation, Poll
from polls.selectors import MIN_GROUP_ANSWERS, group_trends, series_rounds
from reports.charts import chart
from resources.models import Resource

QUIET_DAYS = 60
QUIET_SHOWN = 100
ACTIVITIES_SHOWN = 60
COMMUNITY = "Whole community"
NO_DISTRICT = "No district"


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


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table(model):
    return model._meta.db_table


# The community's members with their districts: a few thousand rows, read once and hashed, so
# thousands of activity rows never look up their member and user one index probe at a time.
MEMBERS_SQL = """
    SELECT m.user_id, u.district_id FROM communities_membership m JOIN accounts_user u ON u.id = m.user_id
     WHERE m.community_id = %s
"""


def active_members(*, community, period):
    """Distinct members who posted, replied, answered a poll or attended: by district and month, one query.

    Returns {(district_id or None, month or None): n}; None month is the whole period, and the
    key ("all", ...) is the whole community (GROUPING SETS keep distinct counts exact).
    """
    if connection.vendor != "postgresql":
        return _active_members_in_python(community=community, period=period)
    args = [community.pk, period.start, period.end]
    # Table names come from the models; every value is a parameter.
    # Each branch yields distinct (member, month) pairs, read from indexes on (community, author,
    # created_at); only those few thousand pairs meet the members and their districts.
    month = "(date_trunc('month', {} AT TIME ZONE %s))::date"
    sql = f"""
        WITH acts AS (
            SELECT author_id AS user_id, {month.format("created_at")} AS month FROM {_table(Thread)}
             WHERE community_id = %s AND created_at >= %s AND created_at < %s AND author_id IS NOT NULL
            UNION
            SELECT author_id, {month.format("created_at")} FROM {_table(Post)}
             WHERE community_id = %s AND created_at >= %s AND created_at < %s AND author_id IS NOT NULL
            UNION
            SELECT a.user_id, {month.format("a.attended_on")} FROM {_table(Attendance)} a
             WHERE a.activity_id IN (SELECT id FROM {_table(Activity)} WHERE community_id = %s)
               AND a.attended_on >= %s AND a.attended_on < %s
            UNION
            SELECT p.user_id, {month.format("pl.opens_at")} FROM {_table(Participation)} p
              JOIN {_table(Poll)} pl ON pl.id = p.poll_id
             WHERE pl.community_id = %s AND pl.opens_at >= %s AND pl.opens_at < %s
        ), members AS MATERIALIZED (
            {MEMBERS_SQL}
        ), dated AS (
            SELECT acts.user_id, members.district_id, acts.month
              FROM acts JOIN members ON members.user_id = acts.user_id
        )
        SELECT GROUPING(district_id), district_id, month, GROUPING(month), COUNT(DISTINCT user_id)
          FROM dated
         GROUP BY GROUPING SETS ((district_id, month), (district_id), (month), ())
    """  # noqa: S608
    rows = _fetch(sql, [_tz(), *args] * 4 + [community.pk])
    found = {}
    for all_districts, district_id, month, all_months, n in rows:
        found[("all" if all_districts else district_id, None if all_months else month)] = n
    return found


def _active_members_in_python(*, community, period):
    """The same figures for SQLite (``make run``'s demo): fine for a demo's few hundred rows."""
    start, end = period.start, period.end
    districts = dict(Membership.objects.filter(community=community).values_list("user_id", "user__district_id"))
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
    groups = {}
    for user_id, moment in acts:
        if user_id not in districts:
            continue
        month = timezone.localtime(moment).date().replace(day=1)
        district = districts[user_id]
        for key in ((district, month), (district, None), ("all", month), ("all", None)):
            groups.setdefault(key, set()).add(user_id)
    return {key: len(users) for key, users in groups.items()}


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
    groups = {}
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


def members_by_district(*, community):
    """``({district_id: members}, {district_id: name})`` for the community's members: one query."""
    rows = (
        Membership.objects.filter(community=community)
        .values_list("user__district_id", "user__district__name")
        .annotate(n=Count("pk"))
    )
    counts, names = {}, {}
    for district_id, name, n in rows:
        counts[district_id] = n
        names[district_id] = name
    return counts, names


def _district_rows(district_ids, names, own_district_id):
    """Which districts get a row: a leader sees only their own (the community row is always there)."""
    if own_district_id is not None:
        return [own_district_id]
    return sorted(district_ids, key=lambda d: (d is None, names.get(d, "")))


def _by_month(queryset, date_field, group):
    # COUNT(*), not COUNT(id): the rows then come from a covering index alone.
    return (
        queryset.annotate(month=TruncMonth(date_field))
        .values(group, "month")
        .annotate(n=Count("*"))
        .values_list(group, "month", "n")
    )


def dashboard(*, community, period, own_district=None):  # noqa: C901 - one figure after another, read top down
    """Every figure of the dashboard for ``period``; ``own_district`` limits district and member rows."""
    now = timezone.now()
    start, end = period.start, period.end
    months = period.months()
    month_labels = [_month_label(m) for m in months]
    own = own_district.pk if own_district is not None else None
    board = Dashboard(period=period, months=months, district=own_district)

    members, names = members_by_district(community=community)
    active = active_members(community=community, period=period)
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
    threads = _by_month(
        Thread.objects.filter(community=community, created_at__gte=start, created_at__lt=end, is_hidden=False),
        "created_at",
        "kind",
    )
    replies = _by_month(
        Post.objects.filter(
            community=community,
            created_at__gte=start,
            created_at__lt=end,
            is_hidden=False,
            is_deleted=False,
            # Redundant, but the planner then joins the community's threads, not all of them.
            thread__community=community,
        ),
        "created_at",
        "thread__kind",
    )
    month_index = {m: i for i, m in enumerate(months)}

    def kind_rows(found):
        grid = {kind: [0] * len(months) for kind in kinds.values}
        for kind, month, n in found:
            i = month_index.get(timezone.localtime(month).date())
            if i is not None and kind in grid:
                grid[kind][i] += n
        return [[kinds(kind).label, *cells, sum(cells)] for kind, cells in grid.items()]

    thread_rows, reply_rows = kind_rows(threads), kind_rows(replies)
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
    sql = f"""
        SELECT GROUPING(t.focus_area_id), t.focus_area_id, COUNT(*),
               COUNT(fr.first_at), COUNT(*) - COUNT(fr.first_at), COUNT(t.accepted_post_id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM fr.first_at - t.created_at)),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ap.created_at - t.created_at))
          FROM {_table(Thread)} t
          LEFT JOIN LATERAL (
              SELECT MIN(p.created_at) AS first_at FROM {_table(Post)} p
               WHERE p.thread_id = t.id AND p.parent_id IS NULL AND p.is_hidden = false AND p.is_deleted = false
          ) fr ON true
          LEFT JOIN {_table(Post)} ap ON ap.id = t.accepted_post_id
         WHERE t.community_id = %s AND t.kind = 'question' AND t.is_hidden = false
           AND t.created_at >= %s AND t.created_at < %s
         GROUP BY GROUPING SETS ((t.focus_area_id), ())
    """  # noqa: S608 - table names from the models, values are parameters
    if connection.vendor == "postgresql":
        question_rows = _fetch(sql, [community.pk, start, end])
    else:
        question_rows = _questions_in_python(community=community, start=start, end=end)
    areas = dict(FocusArea.objects.filter(community=community).values_list("pk", "name"))
    rows, total = [], None
    for grouped, area_id, asked, answered, unanswered, accepted, first, accept in question_rows:
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
    happened = Q(attended_on__gte=start, attended_on__lt=min(end, now))
    attended = (
        Attendance.objects.filter(happened, activity__community=community)
        .values("activity_id", "occurrence_start")
        .annotate(n=Count("pk"), at=Max("attended_on"))
    )
    in_period = Q(occurrence_start__gte=start, occurrence_start__lt=min(end, now)) | Q(
        occurrence_start=None, activity__start__gte=start, activity__start__lt=min(end, now)
    )
    going = (
        RSVP.objects.filter(in_period, activity__community=community, response=RSVP.Response.GOING)
        .values("activity_id", "occurrence_start", "activity__start", "activity__title")
        .annotate(n=Count("pk"))
    )
    dates = {}
    for row in going:
        key = (row["activity_id"], row["occurrence_start"])
        dates[key] = {"title": row["activity__title"], "at": row["occurrence_start"] or row["activity__start"]}
        dates[key]["going"] = row["n"]
    titles_needed = []
    for row in attended:
        key = (row["activity_id"], row["occurrence_start"])
        dates.setdefault(key, {"title": None, "at": row["at"], "going": 0})["attended"] = row["n"]
        if dates[key]["title"] is None:
            titles_needed.append(row["activity_id"])
    titles = dict(Activity.objects.filter(pk__in=titles_needed).values_list("pk", "title"))
    ordered = sorted(dates.items(), key=lambda item: item[1]["at"], reverse=True)
    rows = [
        [
            info["title"] or titles.get(activity_id, ""),
            timezone.localtime(info["at"]).date().isoformat(),
            info.get("going", 0),
            info.get("attended", 0),
            _rate(info.get("attended", 0), info.get("going", 0)),
        ]
        for (activity_id, _occ), info in ordered
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
    polls = Poll.objects.filter(community=community, opens_at__gte=start, opens_at__lt=end)
    # The answers per district and (the row marked true) the polls opened: one statement.
    answered, poll_count = {}, 0
    for is_count, district_id, n in _fetch(
        f"""
        WITH members AS MATERIALIZED ({MEMBERS_SQL})
        SELECT false, members.district_id, COUNT(*) FROM {_table(Participation)} p
          JOIN {_table(Poll)} pl ON pl.id = p.poll_id
          JOIN members ON members.user_id = p.user_id
         WHERE pl.community_id = %s AND pl.opens_at >= %s AND pl.opens_at < %s
         GROUP BY members.district_id
        UNION ALL
        SELECT true, NULL, COUNT(*) FROM {_table(Poll)} WHERE community_id = %s AND opens_at >= %s AND opens_at < %s
        """,  # noqa: S608 - table names from the models, values are parameters
        [community.pk, community.pk, start, end, community.pk, start, end],
    ):
        if is_count:
            poll_count = n
        else:
            answered[district_id] = n

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

    # One query: the answers' sum and count per month, focus area and voter's district (a few
    # hundred groups at most), added up here by district, by focus area and for the community.
    picks = (
        BallotChoice.objects.filter(ballot__poll__in=polls.filter(kind=Poll.Kind.SCALE))
        .annotate(month=TruncMonth("ballot__poll__opens_at"))
        .values_list("month", "ballot__poll__focus_area_id", "ballot__voter__district_id")
        .annotate(total=Sum(F("choice__position") + 1), n=Count("pk"))
    )
    community_pulse = [[0, 0] for _ in months]
    district_pulse, area_pulse = {}, {}
    for month, area, district, total, n in picks:
        i = month_index.get(timezone.localtime(month).date())
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

    board.tables["pulse_rounds"] = pulse_rounds_table(community=community, period=period, own=own)

    # -- resources --------------------------------------------------------------------------
    # One query: the marks join their resources, so each resource counts once (DISTINCT).
    figures = Resource.objects.filter(community=community).aggregate(
        submitted=Count("pk", distinct=True, filter=Q(created_at__gte=start, created_at__lt=end)),
        approved=Count("pk", distinct=True, filter=Q(approved_at__gte=start, approved_at__lt=end)),
        featured=Count("pk", distinct=True, filter=Q(featured_at__gte=start, featured_at__lt=end)),
        useful=Count("useful_marks", filter=Q(useful_marks__created_at__gte=start, useful_marks__created_at__lt=end)),
    )
    board.tables["resources"] = Table(
        slug="resources",
        title="Resources",
        header=["Submitted", "Approved", "Featured", "Marked useful"],
        rows=[[figures["submitted"], figures["approved"], figures["featured"], figures["useful"]]],
        note="Each counted in the period it happened: submitted, approved, featured, marked useful.",
    )

    # -- duties per district -----------------------------------------------------------------------
    today = timezone.localdate()
    done = Q(status=Responsibility.Status.DONE)
    duties = (
        Responsibility.objects.filter(
            activity__community=community, due_date__gte=period.first, due_date__lte=period.last
        )
        .values("district_id", "district__name")
        .annotate(
            on_time=Count("pk", filter=done & (Q(done_at=None) | Q(done_at__date__lte=F("due_date")))),
            late=Count("pk", filter=done & Q(done_at__date__gt=F("due_date"))),
            overdue=Count("pk", filter=~done & Q(due_date__lt=today)),
            coming=Count("pk", filter=~done & Q(due_date__gte=today)),
        )
    )
    found = {row["district_id"]: row for row in duties}
    # A district with duties may have no members here: its name comes with its rows.
    names.update({d: row["district__name"] for d, row in found.items() if d not in names})
    keys = ("on_time", "late", "overdue", "coming")
    total_row = [COMMUNITY, *(sum(row[k] for row in found.values()) for k in keys)]
    duty_districts = [own] if own is not None else sorted(found, key=lambda d: names.get(d, ""))
    rows = [total_row] + [[names.get(d, ""), *(found.get(d, {}).get(k, 0) for k in keys)] for d in duty_districts]
    board.tables["duties"] = Table(
        slug="duties",
        title="District responsibilities",
        header=["District", "Done on time", "Done late", "Overdue", "Not due yet"],
        rows=rows,
        note="Responsibilities due in the period.",
    )

    # -- members gone quiet --------------------------------------------------------------------------
    cutoff = now - timedelta(days=QUIET_DAYS)
    quiet, total_quiet = quiet_members(community=community, cutoff=cutoff, district_id=own)
    board.tables["quiet"] = Table(
        slug="quiet",
        title=f"Members gone quiet (no activity in {QUIET_DAYS} days)",
        header=["Member", "Username", "District", "Joined", "Last active"],
        rows=[
            [
                m.name,
                m.username,
                m.district or NO_DISTRICT,
                timezone.localtime(m.joined_at).date().isoformat(),
                timezone.localtime(m.last_active).date().isoformat() if m.last_active.year > 1970 else "never",
            ]
            for m in quiet
        ],
        note="Members who joined over 60 days ago and have not posted, replied, answered a poll or attended since.",
        total_rows=total_quiet,
    )
    return board


PULSE_LINES = 6


def pulse_rounds_table(*, community, period, own):
    """Every round of the latest repeating scale poll that opened in the period: the community, each
    district (a district leader: their own) and each focus area. At most eight queries, whatever the
    number of rounds, answers, districts or focus areas; one when no such poll opened."""
    latest = (
        Poll.objects.filter(
            community=community, kind=Poll.Kind.SCALE, series__isnull=False, opens_at__gte=period.start,
            opens_at__lt=period.end,
        )
        .prefetch_related("choices")
        .order_by("-opens_at", "-pk")
        .first()
    )  # fmt: skip
    title = "Pulse trend by round, per district and focus area"
    note = (
        f"Average answer (1 to 5) in every round of a repeating scale poll. A district or focus area with "
        f"answers from fewer than {MIN_GROUP_ANSWERS} people in a round shows a dash, so no figure stands for one "
        f"or two people. Focus areas count the voters who follow them; anonymous rounds count for the "
        f"community only."
    )
    if latest is None:
        return Table(slug="pulse_rounds", title=title, header=["Group", "Name"], rows=[], note=note)
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


@dataclass
class QuietMember:
    name: str
    username: str
    district: str | None
    joined_at: object
    last_active: object


def quiet_members(*, community, cutoff, district_id=None, limit=QUIET_SHOWN):
    """Members (joined before ``cutoff``) with nothing since it, quietest first: the first ``limit``
    as ``QuietMember`` rows, and how many there are. One query.

    Each member's last activity is one aggregate per kind over the community's rows (the indexes on
    (community, author, created_at) answer it from the index), not a lookup per member.
    """
    if connection.vendor != "postgresql":
        found = _quiet_members_queryset(community=community, cutoff=cutoff, district_id=district_id)
        members = [
            QuietMember(m.user.name, m.user.username, m.user.district.name if m.user.district else None,
                        m.joined_at, m.last_active)
            for m in found[:limit]
        ]  # fmt: skip
        return members, found.count()
    epoch = timezone.make_aware(timezone.datetime(1970, 1, 1))
    district = "AND u.district_id = %s" if district_id is not None else ""
    sql = f"""
        WITH latest AS (
            SELECT user_id, MAX(at) AS at FROM (
                SELECT author_id AS user_id, MAX(created_at) AS at FROM {_table(Thread)}
                 WHERE community_id = %s AND author_id IS NOT NULL GROUP BY author_id
                UNION ALL
                SELECT author_id, MAX(created_at) FROM {_table(Post)}
                 WHERE community_id = %s AND author_id IS NOT NULL GROUP BY author_id
                UNION ALL
                SELECT a.user_id, MAX(a.attended_on) FROM {_table(Attendance)} a
                 WHERE a.activity_id IN (SELECT id FROM {_table(Activity)} WHERE community_id = %s)
                 GROUP BY a.user_id
                UNION ALL
                SELECT p.user_id, MAX(pl.opens_at) FROM {_table(Participation)} p
                  JOIN {_table(Poll)} pl ON pl.id = p.poll_id
                 WHERE pl.community_id = %s GROUP BY p.user_id
            ) kinds GROUP BY user_id
        )
        SELECT COALESCE(NULLIF(u.display_name, ''), u.username), u.username, d.name, m.joined_at,
               COALESCE(l.at, %s) AS last_active, COUNT(*) OVER ()
          FROM {_table(Membership)} m
          JOIN accounts_user u ON u.id = m.user_id
          LEFT JOIN {_table(District)} d ON d.id = u.district_id
          LEFT JOIN latest l ON l.user_id = m.user_id
         WHERE m.community_id = %s AND m.joined_at < %s AND COALESCE(l.at, %s) < %s {district}
         ORDER BY last_active, u.display_name, m.id
         LIMIT %s
    """  # noqa: S608 - table names from the models, values are parameters
    args = [community.pk] * 4 + [epoch, community.pk, cutoff, epoch, cutoff]
    rows = _fetch(sql, [*args, *([district_id] if district_id is not None else []), limit])
    return [QuietMember(*row[:5]) for row in rows], rows[0][5] if rows else 0


def _quiet_members_queryset(*, community, cutoff, district_id=None):
    """The same members for SQLite (``make run``'s demo), as a queryset."""
    epoch = timezone.make_aware(timezone.datetime(1970, 1, 1))
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
