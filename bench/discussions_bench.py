"""Discussions benchmark: search and the thread page over 100,000 posts on PostgreSQL.

    .venv/bin/python bench/discussions_bench.py            # seed once (if empty), then measure
    .venv/bin/python bench/discussions_bench.py --reseed   # drop the data and seed again

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cop_bench_discussions),
so it never touches development, test or the load-benchmark data. Prints median and p95 in ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench_discussions")
POSTS = 100_000
THREADS = 2_000
BIG_THREAD_POSTS = 1_000
sys.path.insert(0, str(ROOT))
from bench.corpus import VOCABULARY, WEIGHTS


def text(rng, n):
    """Zipfian classroom text (bench/corpus.py), so common words match as they do in real posts."""
    return " ".join(rng.choices(VOCABULARY, cum_weights=WEIGHTS, k=n)).capitalize() + "."


def seed(reseed):
    from django.db import connection

    from accounts.models import User
    from communities.models import Community, Membership
    from discussions.models import Post, Thread

    community = Community.objects.filter(slug="bench-discussions").first()
    if community and not reseed and Post.objects.filter(community=community).count() >= POSTS:
        return community
    if community:
        community.delete()
    rng = random.Random(42)
    started = time.perf_counter()
    community = Community.objects.create(slug="bench-discussions", name="Bench discussions", domain="Benchmarks")
    users = User.objects.bulk_create(
        [User(username=f"bench{n}", email=f"bench{n}@example.com", display_name=f"Bench {n}") for n in range(200)],
        ignore_conflicts=True,
    )
    users = list(User.objects.filter(username__startswith="bench"))
    Membership.objects.bulk_create([Membership(user=u, community=community) for u in users], ignore_conflicts=True)
    threads = Thread.objects.bulk_create(
        [
            Thread(
                community=community,
                author=rng.choice(users),
                title=text(rng, 8),
                body=(body := text(rng, 60)),
                body_html=f"<p>{body}</p>",
                kind=rng.choice(Thread.Kind.values),
                reply_count=0,
            )
            for _ in range(THREADS)
        ],
        batch_size=1000,
    )
    big = threads[0]
    # The big thread: 1,000 posts as 200 top-level replies with nested answers; the rest spread evenly.
    plan = [big] * BIG_THREAD_POSTS + [threads[1 + n % (THREADS - 1)] for n in range(POSTS - BIG_THREAD_POSTS)]
    tops = {}
    batch = []
    created = 0
    for thread in plan:
        body = text(rng, 40)
        siblings = tops.setdefault(thread.pk, [])
        # Every fifth reply starts a new top-level branch; the others answer an earlier reply.
        if not siblings or rng.random() < 0.2:
            post = Post(thread=thread, community=community, author=rng.choice(users), body=body)
            post.body_html = f"<p>{body}</p>"
            batch.append(("top", post, None))
        else:
            batch.append(("child", Post(thread=thread, community=community, author=rng.choice(users), body=body), None))
        if len(batch) >= 5000:
            created += _flush(batch, tops)
            batch = []
    created += _flush(batch, tops)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE discussions_thread t SET reply_count = c.n FROM "
            "(SELECT thread_id, count(*) n FROM discussions_post GROUP BY thread_id) c WHERE c.thread_id = t.id"
        )
        cursor.execute("ANALYZE discussions_post; ANALYZE discussions_thread;")
    print(f"seeded {created:,} posts in {THREADS:,} threads in {time.perf_counter() - started:.0f} s")
    return community


def _flush(batch, tops):
    from discussions.models import Post

    rng = random.Random(len(batch))
    top_posts = Post.objects.bulk_create([p for kind, p, _ in batch if kind == "top"], batch_size=5000)
    for post in top_posts:
        tops.setdefault(post.thread_id, []).append(post)
    children = []
    for kind, post, _ in batch:
        if kind != "child":
            continue
        candidates = tops.get(post.thread_id)
        if not candidates:
            continue
        root = rng.choice(candidates)
        post.parent, post.root, post.depth = root, root, 1
        post.body_html = f"<p>{post.body}</p>"
        children.append(post)
    Post.objects.bulk_create(children, batch_size=5000)
    return len(top_posts) + len(children)


def measure(label, fn, runs):
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:45} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   ({runs} runs)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = URL
    # What the pages cost to compute: the whole-page cache would answer every repeat.
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    from bench.common import ensure_database

    ensure_database(URL)
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from communities.permissions import search_scope
    from core import search as core_search
    from discussions import selectors
    from discussions.models import Post, Thread

    community = seed(args.reseed)
    print(f"{Post.objects.filter(community=community).count():,} posts, {Thread.objects.count():,} threads")
    anonymous = AnonymousUser()
    rng = random.Random(7)
    # "students" matches one post in eight; the others one in forty or fewer.
    queries = ["students", "scratch", "rubric assessment", "microbit sensor", "feedback journal loop"]

    scope = search_scope(anonymous)

    def search_once():
        terms = core_search.parse(rng.choice(queries))
        section = selectors.search(viewer=anonymous, terms=terms, scope=scope)
        assert section.page is not None

    def rare_search():
        terms = core_search.parse("chromebook printer")
        filters = core_search.Filters(community=community.pk)
        selectors.search(viewer=anonymous, terms=terms, scope=scope, filters=filters)

    client = Client()
    big = Thread.objects.filter(community=community).order_by("id").first()
    url = big.get_absolute_url()

    def thread_page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def thread_page_last():
        client.get(url + "?page=10")

    def list_page():
        client.get(f"/c/{community.slug}/t/?page=40")

    def search_page():
        client.get("/search/", {"q": rng.choice(queries)})

    measure("search selector (common words, 100k posts)", search_once, args.runs)
    measure("search selector (rarer pair, one community)", rare_search, args.runs)
    measure("GET /search/?q= (whole request)", search_page, args.runs)
    measure(f"GET thread page ({BIG_THREAD_POSTS:,}-post thread)", thread_page, args.runs)
    measure("GET thread page, page 10", thread_page_last, args.runs)
    measure(f"GET thread list ({THREADS:,} threads, page 40)", list_page, args.runs)


if __name__ == "__main__":
    main()
