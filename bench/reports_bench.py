"""Time the community health dashboard on the benchmark data set (issue 21).

    DATABASE_URL=postgres://…/cop_bench .venv/bin/python bench/reports_bench.py [--runs 7] [--breakdown]

Run after bench/seed.py. Adds attendance (the seed has none): every "going" RSVP to an activity
that has started becomes an attendance, so the attendance and active-member figures have rows;
and moves the measured community's members' joining a year back (the seed has everyone join
today, when nobody can have gone quiet yet).
Then asks for the dashboard of the community with the most posts, in process through Django's
test client (middleware and templates included, no web server), as a moderator and as a
district leader, and prints the median time and the number of queries. ``--breakdown`` also times
the figures alone (``reports.health.dashboard``, no page) and prints the slowest statements, each
at its best run (the machine's load moves single runs a lot).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from calendar_app.models import Attendance
from communities.models import Community, Membership
from discussions.models import Post


def add_attendance():
    if Attendance.objects.exists():
        return Attendance.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO calendar_app_attendance
                (activity_id, occurrence_start, attended_on, minutes, user_id, source, marked_by_id, created_at)
            SELECT r.activity_id, r.occurrence_start, COALESCE(r.occurrence_start, a.start),
                   (EXTRACT(EPOCH FROM a."end" - a.start) / 60)::int, r.user_id, 'marked', NULL, now()
              FROM calendar_app_rsvp r JOIN calendar_app_activity a ON a.id = r.activity_id
             WHERE r.response = 'going' AND COALESCE(r.occurrence_start, a.start) < now()
            ON CONFLICT DO NOTHING
            """
        )
        cursor.execute("ANALYZE calendar_app_attendance")
    return Attendance.objects.count()


def backdate_members(community):
    """The seed's members all joined today, so nobody could have gone quiet: move them a year back,
    so "members gone quiet" weighs every member (the expensive case)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE communities_membership SET joined_at = now() - interval '400 days' "
            "WHERE community_id = %s AND joined_at > now() - interval '61 days'",
            [community.pk],
        )
        cursor.execute("ANALYZE communities_membership")


def load():
    return "load average " + " ".join(f"{n:.2f}" for n in os.getloadavg())


def measure(client, url, runs):
    """Median and best wall time, median and best CPU time of this process (Python, templates: not
    PostgreSQL's), in ms, and the number of queries of the last run."""
    client.get(url)  # warm up: connections, templates
    times, cpu, queries = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu.append((time.process_time() - started_cpu) * 1000)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx)
    return statistics.median(times), min(times), statistics.median(cpu), min(cpu), queries


def breakdown(community, runs):
    from reports.health import dashboard
    from reports.periods import period_from

    period = period_from({})
    dashboard(community=community, period=period)
    best, totals, cpu = {}, [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            dashboard(community=community, period=period)
            cpu.append((time.process_time() - started_cpu) * 1000)
            totals.append((time.perf_counter() - started) * 1000)
        for i, query in enumerate(ctx.captured_queries):
            previous = best.get(i, (float("inf"), ""))[0]
            best[i] = (min(previous, float(query["time"]) * 1000), " ".join(query["sql"].split())[:90])
    print(
        f"figures alone: median {statistics.median(totals):.0f} ms, best {min(totals):.0f} ms "
        f"(CPU median {statistics.median(cpu):.0f} ms, best {min(cpu):.0f} ms); "
        f"statements' best times add up to {sum(t for t, _sql in best.values()):.0f} ms"
    )
    for ms, sql in sorted(best.values(), reverse=True)[:6]:
        print(f"  {ms:5.0f} ms  {sql}")
    if connection.vendor == "postgresql":
        explain_figures(community, period, runs)


def explain_figures(community, period, runs):
    """Inside the one statement (reports/health_sql.py): each figure's subquery and each shared CTE, best
    of ``runs`` EXPLAIN ANALYZE runs. A CTE runs inside the first figure that reads it, so that figure's
    time includes it; planning is the planner's time for the whole statement."""
    import json

    from reports import health_sql
    from reports.health import figure_params

    params = figure_params(community=community, period=period)
    params["month_starts"] = health_sql.month_starts(first=params["first"], months=params["months"])
    sql = health_sql.statement(
        district=False, months=len(params["months"]), by_start=params["month_starts"] is not None
    )
    names = [*health_sql.FIGURES, *health_sql.SINGLE]
    best = {}
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            found = cursor.fetchone()[0]
        plan = (json.loads(found) if isinstance(found, str) else found)[0]
        parts = [("planning", plan["Planning Time"]), ("execution", plan["Execution Time"])]
        figures = iter(names)
        for sub in plan["Plan"].get("Plans", []):
            label = sub.get("Subplan Name", "")
            name = label if label.startswith("CTE ") else next(figures, label)
            parts.append((name, sub["Actual Total Time"]))
        for name, ms in parts:
            best[name] = min(best.get(name, float("inf")), ms)
    print("inside the statement (EXPLAIN ANALYZE, best of each; CTEs count inside their first reader):")
    print("  " + ", ".join(f"{name} {ms:.1f}" for name, ms in best.items()))


def main(runs, with_breakdown=False):
    settings.ALLOWED_HOSTS = ["*"]
    attendance = add_attendance()
    busiest = Post.objects.values("community_id").annotate(n=django.db.models.Count("pk")).order_by("-n").first()
    community = Community.objects.get(pk=busiest["community_id"])
    backdate_members(community)
    print(
        f"posts {Post.objects.count():,}; attendance {attendance:,}; "
        f"community {community.slug}: {busiest['n']:,} posts, {community.memberships.count():,} members"
    )
    moderator = Membership.objects.filter(community=community).order_by("pk").first()
    Membership.objects.filter(pk=moderator.pk).update(is_moderator=True)
    leader = (
        Membership.objects.filter(community=community, user__district__isnull=False)
        .exclude(pk=moderator.pk)
        .order_by("pk")
        .first()
    )
    Membership.objects.filter(pk=leader.pk).update(is_district_leader=True)
    url = f"/c/{community.slug}/manage/health/"
    for label, membership in (("moderator", moderator), ("district leader", leader)):
        client = Client()
        client.force_login(membership.user)
        median, best, cpu_median, cpu_best, queries = measure(client, url, runs)
        print(
            f"{label}: median {median:.0f} ms, best {best:.0f} ms; CPU median {cpu_median:.0f} ms, "
            f"best {cpu_best:.0f} ms; {queries} queries; {load()}"
        )
    if with_breakdown:
        breakdown(community, runs)
        print(load())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--breakdown", action="store_true", help="time each statement of the figures too")
    options = parser.parse_args()
    main(options.runs, options.breakdown)
