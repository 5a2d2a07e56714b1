"""In-process timing of the community home and the member's site home (issue 19), page cache off.

    .venv/bin/python bench/home_bench.py [--runs 40]

Runs on the load benchmark's data set (bench/seed.py) in BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cop_bench), as its ordinary member of five communities.
For each page it prints the SQL queries of one request and the median and p95 in
milliseconds of the whole request (Django test client, rendering included), and the CPU
time this process spent (on a busy machine the wall clock mostly measures waiting), and of the
part the recurring activities cost: the community home's "Coming up" panel and the
site home's "What needs me" (``calls_to_action``), called alone.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
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
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
