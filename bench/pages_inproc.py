"""In-process timing of the member's computed pages (issue 19, templates), page cache off.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cop_bench .venv/bin/python bench/pages_inproc.py [--runs 40]
    ... bench/pages_inproc.py --only thread --profile 20   # and the 20 costliest functions of that page
    ... bench/pages_inproc.py --gc [--settle]   # garbage collections per request, with or without core.gcsettle

Runs on the load benchmark's data set (bench/seed.py) as its ordinary member of five
communities, through Django's test client (middleware, view, rendering). For each page it
prints the SQL queries of one request, the median wall time and the median CPU time of this
process (``time.process_time``: on a shared machine the wall clock mostly measures waiting for
a core), the mean CPU time the PostgreSQL backend spent a request (its ``/proc/<pid>/schedstat``,
so only when the server runs on this machine; planning and executing the statements), with the
load average at the start and the end. ``--sql`` prints each statement's time in every run
(a prepared statement whose plan turns generic shows as a jump). The settings are the load
benchmark's (bench/run.py: production, persistent connections, its Redis in ``BENCH_REDIS_URL``).
"""

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench")
sys.path.insert(0, str(ROOT))


class GCWatch:
    """Collections of each generation, and the milliseconds they took, while enabled."""

    def __init__(self):
        self.counts = [0, 0, 0]
        self.ms = 0.0
        self._started = 0.0
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.counts[info["generation"]] += 1
            self.ms += (time.perf_counter() - self._started) * 1000

    def reset(self):
        self.counts, self.ms = [0, 0, 0], 0.0


def backend_cpu_ms(pid):
    """CPU milliseconds the PostgreSQL backend ``pid`` has used (same machine only), or None."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        return None


def timed(function, runs, backend=None):
    """Median wall and CPU milliseconds of ``runs`` calls (after one to warm up), and the mean
    CPU milliseconds of the PostgreSQL backend ``backend`` a call (None if it cannot be read)."""
    function()
    wall, cpu = [], []
    pg_started = backend_cpu_ms(backend) if backend else None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    pg_ended = backend_cpu_ms(backend) if backend else None
    pg = (pg_ended - pg_started) / runs if pg_started is not None and pg_ended is not None else None
    return statistics.median(wall), statistics.median(cpu), pg


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", default="", help="pages whose name contains this")
    parser.add_argument("--profile", type=int, default=0, help="print this many costliest functions per page")
    parser.add_argument("--sql", action="store_true", help="print each statement of one request with its time")
    parser.add_argument("--anonymous", action="store_true", help="a visitor's pages (what a page cache miss costs)")
    parser.add_argument("--gc", action="store_true", help="also count garbage collections per request")
    parser.add_argument("--settle", action="store_true", help="settle the collector as a worker does")
    args = parser.parse_args()
    from bench.run import BENCH_ENV

    # As the load benchmark serves the site (production settings, persistent connections), page cache off.
    os.environ.pop("DEBUG", None)
    os.environ.update({**BENCH_ENV, "DATABASE_URL": URL, "PAGE_CACHE_SECONDS": "0"})
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", BENCH_ENV["REDIS_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.pages import bench_pages, member

    client = Client()
    if not args.anonymous:
        client.force_login(member())
    if args.settle:
        from core.gcsettle import settle

        settle()
    watch = GCWatch() if args.gc else None
    pages = [p for p in bench_pages() if p["auth"] != args.anonymous and args.only in p["name"]]
    who = "visitor" if args.anonymous else "member"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{timezone.now():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average {load}, {args.runs} runs")
    print(f"collector thresholds {gc.get_threshold()}, {gc.get_freeze_count()} objects frozen")
    if watch:
        print(
            f"| page ({who}) | queries | p50 wall ms | p50 CPU ms | PostgreSQL CPU ms"
            " | collections (young, middle, full) | GC ms |"
        )
        print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    else:
        print(f"| page ({who}) | queries | p50 wall ms | p50 CPU ms | PostgreSQL CPU ms |")
        print("| --- | ---: | ---: | ---: | ---: |")
    for page in pages:
        path = page["path"]

        def get(path=path):
            response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
            return response

        get()
        statements: list[str] = []

        def count(execute, sql, *rest, statements=statements):
            started = time.perf_counter()
            try:
                return execute(sql, *rest)
            finally:
                statements.append(((time.perf_counter() - started) * 1000, sql))

        with connection.execute_wrapper(count):
            get()
        if watch:
            watch.reset()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        if args.sql:
            # Every timed run's statements too: a plan that changes after some runs shows as a jump.
            statements.clear()
            with connection.execute_wrapper(count):
                wall, cpu, pg = timed(get, args.runs, backend)
        else:
            wall, cpu, pg = timed(get, args.runs, backend)
        pg_text = f"{pg:.1f}" if pg is not None else "-"
        row = f"| {page['name']} | {len(statements)} | {wall:.1f} | {cpu:.1f} | {pg_text} |"
        if watch:
            runs = args.runs + 1  # timed() warms up with one more call
            per = ", ".join(f"{n / runs:.2f}" for n in watch.counts)
            row += f" {per} | {watch.ms / runs:.2f} |"
        print(row, flush=True)
        if args.sql:
            runs_of = {}
            for ms, sql in statements:
                runs_of.setdefault(sql, []).append(ms)
            for sql, times in runs_of.items():
                print(f"    median {statistics.median(times):6.2f}, max {max(times):7.2f} ms  {sql[:300]}")
                print("      each run: " + " ".join(f"{ms:.1f}" for ms in times))
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                get()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
