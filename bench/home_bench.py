"""In-process timing of the community home and the member's site home (issue 19), page cache off.

    .venv/bin/python bench/home_bench.py [--runs 40]

Runs on the load benchmark's data set (bench/seed.py) in BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cop_bench), as its ordinary member of five communities.
For each page it prints the SQL queries of one request and the median and p95 in
milliseconds of the whole request (Django test client, rendering included), and the CPU
time this process spent (on a busy machine the wall clock mostly measures waiting), and of the
part the recurring activities cost: the community home's "Coming up" panel and the
site home's "What needs me" (``calls_to_action``), called alone. Then, with ``--series`` repeating
activities added to the community (rolled back), the Coming up dates both ways.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench")
sys.path.insert(0, str(ROOT))


def percentile(times, share):
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * share))]


def timed(function, runs):
    """Median and p95 of the wall-clock time, and the median CPU time of this process, in ms."""
    function()  # warm up
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), percentile(times, 0.95), statistics.median(cpu)


def series_comparison(community, count, runs):
    """Add ``count`` repeating activities to ``community`` (rolled back afterwards) and time the Coming up
    panel's dates both ways: expanding every overlapping series, and from the stored next dates."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from calendar_app import selectors
    from calendar_app.models import Activity
    from calendar_app.services import _refresh_span

    rules = ["FREQ=WEEKLY", "FREQ=DAILY;COUNT=200", "FREQ=MONTHLY"]
    with transaction.atomic():
        for k in range(count):
            start = (timezone.now() - timedelta(days=k % 30, hours=k)).replace(minute=0, second=0, microsecond=0)
            activity = Activity(
                community=community, title=f"Series {k}", start=start, end=start + timedelta(hours=1),
                time_zone="America/Chicago", recurrence=rules[k % 3],
            )  # fmt: skip
            _refresh_span(activity)
            activity.save()
        now = timezone.now()
        end = now + timedelta(days=120)
        overlapping = selectors.activities_overlapping(start=now, end=end, community=community)
        series = sum(1 for a in overlapping if a.is_recurring)

        def expanding_every_series():
            return selectors.occurrences_for_community(community=community, start=now, end=end)[:5]

        def from_stored_dates():
            return selectors.soonest_occurrences(community=community, start=now, end=end, limit=5)

        every, stored = timed(expanding_every_series, runs), timed(from_stored_dates, runs)
        same = [(o.activity.pk, o.start) for o in expanding_every_series()] == [
            (o.activity.pk, o.start) for o in from_stored_dates()
        ]
        transaction.set_rollback(True)
    print(f"\nComing up with {series} overlapping series (the same five dates: {same}):")
    print(f"  expanding every series: p50 {every[0]:.1f} ms, CPU {every[2]:.1f} ms")
    print(f"  from the stored next dates: p50 {stored[0]:.1f} ms, CPU {stored[2]:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--series", type=int, default=69, help="repeating activities added for the comparison")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = URL
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.pages import member
    from calendar_app.panels import community_home_panel
    from communities.models import Community
    from communities.permissions import access_for
    from digests.selectors import calls_to_action

    user = member()
    community = Community.objects.order_by("slug").first()
    client = Client()
    client.force_login(user)
    access = access_for(user, community)
    load = os.getloadavg()[0]
    print(f"{timezone.now():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average {load:.2f}, {args.runs} runs")
    rows = [
        ("community home", lambda: client.get(f"/c/{community.slug}/")),
        ("  its Coming up panel", lambda: community_home_panel(community=community, viewer=user, access=access)),
        ("site home, member of 5", lambda: client.get("/")),
        ("  its What needs me (calls_to_action)", lambda: calls_to_action(user=user)),
    ]
    print("| what | queries | p50 ms | p95 ms | CPU ms of this process (p50) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, function in rows:
        function()
        with CaptureQueriesContext(connection) as captured:
            result = function()
        queries = len(captured.captured_queries)
        status = getattr(result, "status_code", 200)
        if status != 200:
            sys.exit(f"{label} answered {status}")
        p50, p95, cpu = timed(function, args.runs)
        print(f"| {label} | {queries} | {p50:.1f} | {p95:.1f} | {cpu:.1f} |", flush=True)
    if args.series:
        series_comparison(community, args.series, args.runs)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
