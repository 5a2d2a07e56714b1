# ruff: noqa: S608 - every value is a parameter; table names come from the models, column names are fixed
"""The health dashboard's figures from PostgreSQL in one statement.

Each figure is a subquery that hands back its rows as one JSON array, so the page makes one round trip
to the database instead of one per figure (on a busy machine each trip waits for the scheduler twice),
builds no ORM query, and the community's members and their districts are read once (``members``) for
every figure that needs them. ``reports.health`` turns the rows into tables, whichever database they
came from; ``reports.health._raw_portable`` computes the same rows with the ORM (SQLite, and the test
that compares the two).
"""

import functools
import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import connection
from django.utils import timezone

from calendar_app.models import RSVP, Activity, Attendance, Responsibility
from communities.models import FocusArea, Membership
from discussions.models import Post, Thread
from polls.models import Ballot, BallotChoice, Choice, Participation, Poll
from resources.models import Resource, UsefulMark


def _t(model):
    return model._meta.db_table


def _month(column):
    # The month of ``column`` in the viewer's zone; ``statement`` writes it one of two ways (see there).
    return f"<month {column}>"


MONTH = re.compile(r"<month ([a-z_.]+)>")
# Exact for any zone (half-hour and 45-minute offsets, daylight saving), converting each row.
MONTH_BY_ZONE = r"(date_trunc('month', \1 AT TIME ZONE %(zone)s))::date"
# The same month without converting each row: which of the months' first instants the row follows.
MONTH_BY_START = r"(%(months)s::date[])[width_bucket(\1, %(month_starts)s::timestamptz[])]"


def _rows(cols, select, order=""):
    """A subquery that returns the rows of ``select`` (columns ``cols``) as a JSON array, in ``order``."""
    order = f" ORDER BY {order}" if order else ""
    return f"(SELECT COALESCE(json_agg(json_build_array({cols}){order}), '[]') FROM ({select}) x)"


MEMBERS = f"""
    members AS MATERIALIZED (
        SELECT m.id, m.user_id, m.joined_at, u.district_id, u.display_name, u.username
          FROM {_t(Membership)} m JOIN accounts_user u ON u.id = m.user_id
         WHERE m.community_id = %(community)s
    )"""

# The period's threads, replies and polls, each read once (with its month in the viewer's zone worked out
# once a row) for every figure that counts them: active members, threads and replies by kind, questions,
# poll answers and the pulse.
PERIOD = f"""
    period_threads AS MATERIALIZED (
        SELECT id, author_id, kind, focus_area_id, is_hidden, created_at, accepted_post_id,
               {_month("created_at")} AS month
          FROM {_t(Thread)}
         WHERE community_id = %(community)s AND created_at >= %(start)s AND created_at < %(end)s
    ), period_posts AS MATERIALIZED (
        SELECT p.author_id, t.kind, p.is_hidden OR p.is_deleted AS gone, {_month("p.created_at")} AS month
          FROM {_t(Post)} p LEFT JOIN {_t(Thread)} t ON t.id = p.thread_id AND t.community_id = %(community)s
         WHERE p.community_id = %(community)s AND p.created_at >= %(start)s AND p.created_at < %(end)s
    ), period_polls AS MATERIALIZED (
        SELECT id, kind, focus_area_id, {_month("opens_at")} AS month
          FROM {_t(Poll)}
         WHERE community_id = %(community)s AND opens_at >= %(start)s AND opens_at < %(end)s
    ), scale_choices AS MATERIALIZED (
        SELECT id, position FROM {_t(Choice)}
         WHERE poll_id IN (SELECT id FROM period_polls WHERE kind = %(scale)s)
    )"""

# Who has done anything since the cutoff: a range of the indexes on (community, created_at), not every
# member's whole history. Only the others (gone quiet) need their last activity looked up.
QUIET = f"""
    recent AS (
        SELECT author_id AS user_id FROM {_t(Thread)}
         WHERE community_id = %(community)s AND created_at >= %(cutoff)s AND author_id IS NOT NULL
        UNION
        SELECT author_id FROM {_t(Post)}
         WHERE community_id = %(community)s AND created_at >= %(cutoff)s AND author_id IS NOT NULL
        UNION
        SELECT a.user_id FROM {_t(Attendance)} a
         WHERE a.activity_id IN (SELECT id FROM {_t(Activity)} WHERE community_id = %(community)s)
           AND a.attended_on >= %(cutoff)s
        UNION
        SELECT p.user_id FROM {_t(Participation)} p JOIN {_t(Poll)} pl ON pl.id = p.poll_id
         WHERE pl.community_id = %(community)s AND pl.opens_at >= %(cutoff)s
    ), quiet AS MATERIALIZED (
        SELECT m.id, m.user_id, m.joined_at, m.district_id, m.display_name, m.username FROM members m
         WHERE m.joined_at < %(cutoff)s AND m.user_id NOT IN (SELECT user_id FROM recent) {{district}}
    ), quiet_last AS (
        SELECT user_id, MAX(at) AS at FROM (
            SELECT author_id AS user_id, MAX(created_at) AS at FROM {_t(Thread)}
             WHERE community_id = %(community)s AND author_id IN (SELECT user_id FROM quiet) GROUP BY author_id
            UNION ALL
            SELECT author_id, MAX(created_at) FROM {_t(Post)}
             WHERE community_id = %(community)s AND author_id IN (SELECT user_id FROM quiet) GROUP BY author_id
            UNION ALL
            SELECT a.user_id, MAX(a.attended_on) FROM {_t(Attendance)} a
             WHERE a.activity_id IN (SELECT id FROM {_t(Activity)} WHERE community_id = %(community)s)
               AND a.user_id IN (SELECT user_id FROM quiet)
             GROUP BY a.user_id
            UNION ALL
            SELECT p.user_id, MAX(pl.opens_at) FROM {_t(Participation)} p JOIN {_t(Poll)} pl ON pl.id = p.poll_id
             WHERE pl.community_id = %(community)s AND p.user_id IN (SELECT user_id FROM quiet) GROUP BY p.user_id
        ) kinds GROUP BY user_id
    )"""

FIGURES = {
    # (district_id, district name, members)
    "members": (
        "c0, c1, c2",
        """SELECT x.district_id AS c0, d.name AS c1, x.n AS c2
             FROM (SELECT district_id, COUNT(*) AS n FROM members GROUP BY district_id) x
             LEFT JOIN accounts_district d ON d.id = x.district_id""",
    ),
    # (whole community?, district_id, active in the period, active in the first month, the second, ...):
    # each member's months as bits, so every count is a plain COUNT over one row per member.
    "active": (
        "c0, c1, c2, {month_columns}",
        f"""SELECT GROUPING(mb.district_id) = 1 AS c0, mb.district_id AS c1, COUNT(*) AS c2, {{month_counts}}
              FROM (
                SELECT user_id, bit_or(1::bigint << (width_bucket(month, %(months)s::date[]) - 1)) AS months
                  FROM (
                    SELECT author_id AS user_id, month FROM period_threads WHERE author_id IS NOT NULL
                    UNION ALL
                    SELECT author_id, month FROM period_posts WHERE author_id IS NOT NULL
                    UNION ALL
                    SELECT a.user_id, {_month("a.attended_on")} FROM {_t(Attendance)} a
                     WHERE a.activity_id IN (SELECT id FROM {_t(Activity)} WHERE community_id = %(community)s)
                       AND a.attended_on >= %(start)s AND a.attended_on < %(end)s
                    UNION ALL
                    SELECT p.user_id, pl.month FROM {_t(Participation)} p JOIN period_polls pl ON pl.id = p.poll_id
                  ) acts
                 GROUP BY user_id
              ) per_member JOIN members mb ON mb.user_id = per_member.user_id
             GROUP BY GROUPING SETS ((mb.district_id), ())""",
    ),
    # (kind, month, threads)
    "threads": (
        "c0, c1, c2",
        "SELECT kind AS c0, month AS c1, COUNT(*) AS c2 FROM period_threads WHERE NOT is_hidden GROUP BY 1, 2",
    ),
    # (kind of thread, month, replies)
    "replies": (
        "c0, c1, c2",
        """SELECT kind AS c0, month AS c1, COUNT(*) AS c2 FROM period_posts
             WHERE NOT gone AND kind IS NOT NULL GROUP BY 1, 2""",
    ),
    # (whole community?, focus area, asked, answered, unanswered, accepted, median s to first reply,
    #  median s to accepted answer)
    "questions": (
        "c0, c1, c2, c3, c4, c5, c6, c7",
        f"""SELECT GROUPING(t.focus_area_id) AS c0, t.focus_area_id AS c1, COUNT(*) AS c2,
                   COUNT(fr.first_at) AS c3, COUNT(*) - COUNT(fr.first_at) AS c4, COUNT(t.accepted_post_id) AS c5,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM fr.first_at - t.created_at)) AS c6,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ap.created_at - t.created_at))
                     AS c7
              FROM period_threads t
              LEFT JOIN LATERAL (
                  SELECT MIN(p.created_at) AS first_at FROM {_t(Post)} p
                   WHERE p.thread_id = t.id AND p.parent_id IS NULL AND p.is_hidden = false AND p.is_deleted = false
              ) fr ON true
              LEFT JOIN {_t(Post)} ap ON ap.id = t.accepted_post_id
             WHERE t.kind = %(question)s AND NOT t.is_hidden
             GROUP BY GROUPING SETS ((t.focus_area_id), ())""",
    ),
    # (focus area id, name)
    "areas": (
        "c0, c1",
        f"SELECT id AS c0, name AS c1 FROM {_t(FocusArea)} WHERE community_id = %(community)s",
    ),
    # (activity, occurrence start, activity start, title, said going) for dates that have happened
    "going": (
        "c0, c1, c2, c3, c4",
        f"""SELECT r.activity_id AS c0, r.occurrence_start AS c1, a.start AS c2, a.title AS c3, COUNT(*) AS c4
              FROM {_t(RSVP)} r JOIN {_t(Activity)} a ON a.id = r.activity_id
             WHERE a.community_id = %(community)s AND r.response = %(going)s
               AND ((r.occurrence_start >= %(start)s AND r.occurrence_start < %(happened)s)
                    OR (r.occurrence_start IS NULL AND a.start >= %(start)s AND a.start < %(happened)s))
             GROUP BY 1, 2, 3, 4 ORDER BY 1, 2""",
    ),
    # (activity, occurrence start, attended, latest attendance, title)
    "attended": (
        "c0, c1, c2, c3, c4",
        f"""SELECT at.activity_id AS c0, at.occurrence_start AS c1, COUNT(*) AS c2, MAX(at.attended_on) AS c3,
                   a.title AS c4
              FROM {_t(Attendance)} at JOIN {_t(Activity)} a ON a.id = at.activity_id
             WHERE a.community_id = %(community)s AND at.attended_on >= %(start)s AND at.attended_on < %(happened)s
             GROUP BY at.activity_id, at.occurrence_start, a.title ORDER BY 1, 2""",
    ),
    # (district_id, poll answers) of the polls opened in the period
    "poll_answers": (
        "c0, c1",
        f"""SELECT members.district_id AS c0, COUNT(*) AS c1 FROM {_t(Participation)} p
              JOIN period_polls pl ON pl.id = p.poll_id JOIN members ON members.user_id = p.user_id
             GROUP BY 1""",
    ),
    # (month the poll opened, focus area, voter's district, sum of answers 1..5, answers) of scale polls
    "picks": (
        "c0, c1, c2, c3, c4",
        # The voter's district from the members already read (a hash, not a probe of users for every
        # answer); a voter who has left the community is looked up on their own.
        f"""SELECT month AS c0, focus_area_id AS c1, district_id AS c2, SUM(value) AS c3, COUNT(*) AS c4 FROM (
                SELECT pl.month, pl.focus_area_id, ch.position + 1 AS value,
                       CASE WHEN b.voter_id IS NULL THEN NULL
                            WHEN mb.user_id IS NOT NULL THEN mb.district_id
                            ELSE (SELECT u.district_id FROM accounts_user u WHERE u.id = b.voter_id) END AS district_id
                  FROM period_polls pl
                  JOIN {_t(Ballot)} b ON b.poll_id = pl.id
                  JOIN {_t(BallotChoice)} bc ON bc.ballot_id = b.id
                  JOIN scale_choices ch ON ch.id = bc.choice_id
                  LEFT JOIN members mb ON mb.user_id = b.voter_id
                 WHERE pl.kind = %(scale)s
              ) answers
             GROUP BY 1, 2, 3""",
    ),
    # (district_id, district name, done on time, done late, overdue, not due yet) due in the period
    "duties": (
        "c0, c1, c2, c3, c4, c5",
        f"""SELECT r.district_id AS c0, d.name AS c1,
                   COUNT(*) FILTER (WHERE r.status = %(done)s
                                      AND (r.done_at IS NULL OR (r.done_at AT TIME ZONE %(zone)s)::date <= r.due_date))
                     AS c2,
                   COUNT(*) FILTER (WHERE r.status = %(done)s AND (r.done_at AT TIME ZONE %(zone)s)::date > r.due_date)
                     AS c3,
                   COUNT(*) FILTER (WHERE r.status <> %(done)s AND r.due_date < %(today)s) AS c4,
                   COUNT(*) FILTER (WHERE r.status <> %(done)s AND r.due_date >= %(today)s) AS c5
              FROM {_t(Responsibility)} r JOIN {_t(Activity)} a ON a.id = r.activity_id
              JOIN accounts_district d ON d.id = r.district_id
             WHERE a.community_id = %(community)s AND r.due_date >= %(first)s AND r.due_date <= %(last)s
             GROUP BY 1, 2""",
    ),
    # (name, username, district name, joined, last active or the epoch, how many are quiet), quietest first
    "quiet": (
        "c0, c1, c2, c3, c4, c5",
        """SELECT COALESCE(NULLIF(q.display_name, ''), q.username) AS c0, q.username AS c1, d.name AS c2,
                  q.joined_at AS c3, COALESCE(l.at, %(epoch)s) AS c4, COUNT(*) OVER () AS c5,
                  q.display_name AS c6, q.id AS c7
             FROM quiet q
             LEFT JOIN accounts_district d ON d.id = q.district_id
             LEFT JOIN quiet_last l ON l.user_id = q.user_id
            ORDER BY c4, c6, c7
            LIMIT %(quiet_limit)s""",
        "c4, c6, c7",
    ),
}

# One value each, not rows.
SINGLE = {
    "poll_count": "(SELECT COUNT(*) FROM period_polls)",
    # The latest repeating scale poll that opened in the period (the pulse trend by round), or null.
    "series_poll": f"""(SELECT id FROM {_t(Poll)}
                         WHERE community_id = %(community)s AND kind = %(scale)s AND series_id IS NOT NULL
                           AND opens_at >= %(start)s AND opens_at < %(end)s
                         ORDER BY opens_at DESC, id DESC LIMIT 1)""",
    # Submitted, approved, featured, marked useful: the marks join their resources, so DISTINCT.
    "resources": f"""(SELECT json_build_array(
                         COUNT(DISTINCT r.id) FILTER (WHERE r.created_at >= %(start)s AND r.created_at < %(end)s),
                         COUNT(DISTINCT r.id) FILTER (WHERE r.approved_at >= %(start)s AND r.approved_at < %(end)s),
                         COUNT(DISTINCT r.id) FILTER (WHERE r.featured_at >= %(start)s AND r.featured_at < %(end)s),
                         COUNT(um.id) FILTER (WHERE um.created_at >= %(start)s AND um.created_at < %(end)s))
                       FROM {_t(Resource)} r LEFT JOIN {_t(UsefulMark)} um ON um.resource_id = r.id
                      WHERE r.community_id = %(community)s)""",
}

DATETIME_COLUMNS: dict[str, tuple[int, ...]] = {"going": (1, 2), "attended": (1, 3), "quiet": (3, 4)}
DATE_COLUMNS: dict[str, tuple[int, ...]] = {"threads": (1,), "replies": (1,), "picks": (0,)}


@functools.cache
def statement(*, district, months, by_start=False):
    """The statement for a period of ``months`` months (a district leader's: ``district``). ``by_start``:
    find each row's month from the months' first instants (``month_starts``), which is the month in the
    viewer's zone only when every month starts at a plain local midnight (see ``month_starts``)."""
    quiet = QUIET.format(district="AND m.district_id = %(own)s" if district else "")
    columns = {
        "month_columns": ", ".join(f"c{3 + i}" for i in range(months)),
        "month_counts": ", ".join(f"COUNT(*) FILTER (WHERE months & {1 << i} <> 0) AS c{3 + i}" for i in range(months)),
    }
    parts = [f"{_rows(cols.format(**columns), select.format(**columns), *order)} AS {name}"
             for name, (cols, select, *order) in FIGURES.items()]  # fmt: skip
    parts += [f"{sql} AS {name}" for name, sql in SINGLE.items()]
    sql = f"WITH {MEMBERS}, {PERIOD}, {quiet}\nSELECT " + ",\n".join(parts)
    return MONTH.sub(MONTH_BY_START if by_start else MONTH_BY_ZONE, sql)


def _plain_midnight(day, zone):
    """``day``'s local midnight as an instant, or None when a daylight-saving jump skips it or it comes twice."""
    local = datetime.combine(day, time.min)
    early, late = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset() or early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        return None
    return early


def month_starts(*, first, months):
    """The first instant of each month of a period starting on ``first`` (its first midnight for the first
    month), or None when one of these midnights is not a plain local time in the viewer's zone: skipped by
    a daylight-saving jump (a gap) or there twice (a fold, as in Havana on 2026-11-01). Then a row just after
    such an instant may still belong to the month before, so months are converted row by row. The period's
    own edges come from the same zone rules (``reports.periods.Period``)."""
    zone = timezone.get_current_timezone()
    starts = [_plain_midnight(first, zone), *(_plain_midnight(month, zone) for month in months[1:])]
    return None if None in starts else starts


def _datetime(text):
    return datetime.fromisoformat(text) if text is not None else None


def _date(text):
    return date.fromisoformat(text) if text is not None else None


def figures(*, params):
    """The rows of every figure (see ``FIGURES``, ``SINGLE``) as a dict, for ``reports.health.figure_params``
    (``own``: only that district's quiet members): one query."""
    with connection.cursor() as cursor:
        starts = month_starts(first=params["first"], months=params["months"])
        sql = statement(district=params["own"] is not None, months=len(params["months"]), by_start=starts is not None)
        cursor.execute(sql, {**params, "month_starts": starts})
        names = [column.name for column in cursor.description]
        values = cursor.fetchone()
    raw: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        raw[name] = json.loads(value) if isinstance(value, str) else value
    for name, columns in DATETIME_COLUMNS.items():
        for row in raw[name]:
            for i in columns:
                row[i] = _datetime(row[i])
    for name, columns in DATE_COLUMNS.items():
        for row in raw[name]:
            for i in columns:
                row[i] = _date(row[i])
    return raw
