"""Search benchmark: twelve realistic searches on the full benchmark data set (1,000,000 posts).

    .venv/bin/python bench/search_bench.py                 # measure (seed first: see below)
    .venv/bin/python bench/search_bench.py --seed          # create, migrate and seed the database, then measure
    .venv/bin/python bench/search_bench.py --runs 40 --explain

Uses the load benchmark's data set (bench/seed.py) in the database named by
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cop_bench), so a second
copy can live beside the one `make bench` uses. Each search is a whole `GET /search/?q=`
request in process, as the benchmark's ordinary member of five communities, with the
page cache off, and the search alone (the selectors the page calls, without rendering):
six kinds of query (a common word, two and three common words, a rare
word, a phrase, a misspelling), each across all communities and within one. Prints the
median and p95 in milliseconds per search and over all of them, and with --explain the
plan of every statement the request runs (EXPLAIN ANALYZE, summarised).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench")
sys.path.insert(0, str(ROOT))

# Counts of matching posts on the full data set in the comments (bench/corpus.py is Zipfian).
QUERIES = [
    ("a common word", "students"),  # 130,507 posts
    ("two common words", "students lesson"),
    ("three common words", "classroom coding feedback"),  # all three: 444 posts
    ("a rare word", "venewa"),  # 1,571 posts
    ("a phrase", '"coding classroom"'),  # 353 posts
    ("a misspelling", "studnets"),  # none: "Did you mean students?"
]
COMMUNITY = "bench-00"  # one of the member's five (public) communities


def percentile(times, share):
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * share))]


def summarise_plan(node, depth=0):
    """One line per plan node: type, relation or index, rows, time."""
    label = node["Node Type"]
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    elif node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    extra = f"rows={node.get('Actual Rows', '?')} loops={node.get('Actual Loops', 1)}"
    extra += f" {node.get('Actual Total Time', 0):.1f} ms"
    if node.get("Workers Planned"):
        extra += f" workers={node['Workers Planned']}"
    if node.get("Sort Method"):
        extra += f" sort={node['Sort Method']}"
    if node.get("Lossy Heap Blocks"):
        extra += f" lossy={node['Lossy Heap Blocks']}"
    lines = [f"{'  ' * depth}{label}  ({extra})"]
    for child in node.get("Plans", []):
        lines.extend(summarise_plan(child, depth + 1))
    return lines


def explain(statements):
    """EXPLAIN ANALYZE each search statement under the settings the page runs it with."""
    from django.db import connection

    from core import search as core_search

    with core_search.search_settings(), connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT") or (
                "search_vector" not in sql and "searchword" not in sql
            ):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            took = f"planned {plan['Planning Time']:.1f} ms, ran {plan['Execution Time']:.1f} ms"
            print(f"      -- {took}: {sql[:90]}...")
            for line in summarise_plan(plan["Plan"], 3):
                print(f"    {line}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="create, migrate and seed the database first")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    parser.add_argument(
        "--allow-parallel", action="store_true", help="leave parallel workers on (to compare with the default)"
    )
    parser.add_argument("--only", default="", help="run only searches whose label contains this")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = URL
    os.environ["PAGE_CACHE_SECONDS"] = "0"  # what computing the page costs
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    from bench.common import ensure_database

    ensure_database(URL)
    if args.seed:
        subprocess.run([sys.executable, "bench/seed.py"], cwd=ROOT, env=os.environ, check=True)
        # What autovacuum does on a live database (it may be off on a test machine): visibility
        # map and GIN pending lists, so plans read what a forum in use would read.
        subprocess.run(["psql", URL, "-qc", "VACUUM ANALYZE"], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from communities.models import Community
    from communities.permissions import search_scope
    from core import search as core_search
    from discussions import selectors
    from discussions.models import Post

    if args.allow_parallel:
        from contextlib import contextmanager

        from django.db import transaction

        @contextmanager
        def with_parallel_workers(using="default"):
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('random_page_cost', '1.1', true), set_config('jit', 'off', true), "
                    "set_config('pg_trgm.similarity_threshold', '0.25', true)"
                )
                yield

        core_search.search_settings = with_parallel_workers

    # The word list behind "Did you mean" is built by a nightly task; build it now if it is empty.
    call_command("refresh_search_words", "--if-empty", verbosity=0)
    workers = "parallel workers allowed" if args.allow_parallel else "no parallel workers"
    print(f"{Post.objects.count():,} posts; {args.runs} runs per search; page cache off; {workers}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    member = User.objects.get(email="bench-member@example.com")
    client = Client()
    client.force_login(member)
    community_ids = dict(Community.objects.values_list("slug", "pk"))

    def search_only(text, community):
        """What the page asks of the selectors: the scope, every kind, the suggestion."""
        scope = search_scope(member)
        filters = core_search.Filters(community=community_ids.get(community))
        return selectors.search_everything(viewer=member, terms=core_search.parse(text), scope=scope, filters=filters)

    pages, searches = [], []
    print(f"{'search':52} {'page p50':>9} {'p95':>7} {'search p50':>11} {'p95':>7}  queries")
    for label, text in QUERIES:
        if args.only not in label:
            continue
        for community in ("", COMMUNITY):
            params = {"q": text, **({"community": community} if community else {})}
            response = client.get("/search/", params)
            assert response.status_code == 200, response.status_code
            page_times, search_times = [], []
            for _ in range(args.runs):
                start = time.perf_counter()
                client.get("/search/", params)
                page_times.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                search_only(text, community)
                search_times.append((time.perf_counter() - start) * 1000)
            pages.extend(page_times)
            searches.extend(search_times)
            with CaptureQueriesContext(connection) as captured:
                client.get("/search/", params)
            name = f"{label}: {text}" + (f" in {community}" if community else "")
            print(
                f"{name:52} {statistics.median(page_times):7.1f}ms {percentile(page_times, 0.95):5.1f}ms"
                f" {statistics.median(search_times):9.1f}ms {percentile(search_times, 0.95):5.1f}ms  {len(captured)}",
                flush=True,
            )
            if args.explain:
                explain([q["sql"] for q in captured.captured_queries])
    print(
        f"{'all searches':52} {statistics.median(pages):7.1f}ms {percentile(pages, 0.95):5.1f}ms"
        f" {statistics.median(searches):9.1f}ms {percentile(searches, 0.95):5.1f}ms"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
