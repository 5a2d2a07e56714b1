"""Digest benchmark: compose and send the monthly digest to 10,000 members in 5 communities.

    .venv/bin/python bench/digest_bench.py              # seed once (if empty), then run the digest for everyone
    .venv/bin/python bench/digest_bench.py --reseed     # drop the members and seed again
    .venv/bin/python bench/digest_bench.py --members 2000   # seed at least 2,000, run the first 2,000
    .venv/bin/python bench/digest_bench.py --members 500 --save-emails /tmp/emails.json  # compare output

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cop_bench_digest).
Runs the same code a Celery worker runs (services.deliver_batch, batches of DIGEST_BATCH_SIZE) in one
process, sending to Django's local-memory backend, and reports the total time, members per second and
SQL queries per member (all of them: claiming, composing, recording), plus the queries to compose one
digest for a member of one community and for a member of all five, and the CPU time of the process
(comparable on a busy machine, where the wall-clock time is not).
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench_digest")
COMMUNITIES = 5
DISTRICTS = 12


def seed(members, reseed, period):
    from accounts.models import District, User
    from communities.models import Community, FocusArea, Membership

    if not reseed and User.objects.filter(username__startswith="dg").count() >= members:
        return
    started = time.perf_counter()
    User.objects.filter(username__startswith="dg").delete()
    Community.objects.filter(slug__startswith="bench-digest-").delete()
    rng = random.Random(7)
    districts = [District.objects.get_or_create(name=f"Bench district {n}")[0] for n in range(DISTRICTS)]
    communities = [
        Community.objects.create(
            slug=f"bench-digest-{n}",
            name=f"Bench community {n}",
            domain="Benchmarks",
            visibility="hidden" if n == 4 else "public",
            join_policy="invitation" if n == 4 else "open",
        )
        for n in range(COMMUNITIES)
    ]
    users = User.objects.bulk_create(
        [
            User(
                username=f"dg{n}",
                email=f"dg{n}@example.com",
                display_name=f"Digest member {n}",
                password="!",  # noqa: S106 - an unusable password
                district=rng.choice(districts),
            )
            for n in range(members)
        ],
        batch_size=2000,
    )
    memberships = []
    joined_long_ago = period.since - dt.timedelta(days=200)
    for n, user in enumerate(users):
        # Everyone in 1 to 5 communities; one in five in all five (the worst case).
        count = COMMUNITIES if n % 5 == 0 else rng.randint(1, COMMUNITIES)
        for community in rng.sample(communities, count):
            joined = period.since + dt.timedelta(days=3) if n % 100 == 0 else joined_long_ago
            memberships.append(Membership(user=user, community=community, joined_at=joined))
    Membership.objects.bulk_create(memberships, batch_size=5000)
    for community in communities:
        areas = [FocusArea.objects.create(community=community, name=f"Area {k}", slug=f"area-{k}") for k in range(4)]
        through = FocusArea.followers.through
        through.objects.bulk_create(
            [through(focusarea=rng.choice(areas), user=u) for u in rng.sample(users, len(users) // 3)],
            ignore_conflicts=True,
        )
        seed_content(community, areas, districts, users, period, rng)
    print(f"seeded {members} members, {len(memberships)} memberships in {time.perf_counter() - started:.0f}s")


def seed_content(community, areas, districts, users, period, rng):
    from calendar_app.models import Activity, Responsibility
    from calendar_app.services import _refresh_span
    from digests.models import CommunityNote
    from discussions.models import Post, Reaction, Thread
    from polls.models import Choice, Poll
    from resources.models import Resource

    CommunityNote.objects.create(community=community, period=period.key, body="This month: **our chat** on the 12th.")
    for k in range(20):
        start = period.start + dt.timedelta(days=k, hours=15)
        activity = Activity(
            community=community,
            title=f"Webinar {k}",
            description="Bring a lesson idea.",
            description_html="<p>Bring a lesson idea.</p>",
            start=start,
            end=start + dt.timedelta(hours=1),
            time_zone="UTC",
        )
        _refresh_span(activity)
        activity.save()
        Responsibility.objects.bulk_create(
            [
                Responsibility(activity=activity, district=d, task="hosts a table", due_date=start.date())
                for d in districts
            ]
        )
    for k in range(10):
        poll = Poll.objects.create(
            community=community,
            question=f"How is unit {k} going?",
            opens_at=period.since,
            closes_at=period.start + dt.timedelta(days=20),
        )
        Choice.objects.bulk_create([Choice(poll=poll, label=label, position=i) for i, label in enumerate("ABC")])
    threads = Thread.objects.bulk_create(
        [
            Thread(
                community=community,
                author=rng.choice(users),
                title=f"Question {k} about loops",
                body="How do you teach it?",
                body_html="<p>How do you teach it?</p>",
                kind="question",
                focus_area=rng.choice(areas),
                created_at=period.since + dt.timedelta(days=k % 25),
                last_activity_at=period.since + dt.timedelta(days=k % 25),
            )
            for k in range(200)
        ]
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                thread=t, community=community, author=rng.choice(users), body="Try this.", body_html="<p>Try this.</p>"
            )
            for t in threads[:100]
        ]
    )
    Reaction.objects.bulk_create(
        [
            Reaction(post=p, user=u, kind="helpful", created_at=period.since + dt.timedelta(days=2))
            for p in posts
            for u in rng.sample(users, 5)
        ],
        ignore_conflicts=True,
    )
    Resource.objects.bulk_create(
        [
            Resource(
                community=community,
                title=f"Resource {k}",
                description="Useful.",
                description_html="<p>Useful.</p>",
                kind="link",
                url=f"https://example.org/r/{k}",
                submitted_by=rng.choice(users),
                status="featured" if k % 5 == 0 else "approved",
                approved_at=period.since + dt.timedelta(days=k % 25),
                featured_at=period.since + dt.timedelta(days=k % 25) if k % 5 == 0 else None,
            )
            for k in range(100)
        ]
    )


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(period, members, save_emails=None):
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    from accounts.models import User
    from digests import services
    from digests.models import DigestDelivery, DigestRun
    from digests.selectors import digest_for

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # As the nightly task leaves them (and rows seeded before activities stored their next date).
    from calendar_app.services import refresh_next_occurrences

    refresh_next_occurrences()
    DigestDelivery.objects.filter(period=period.key).delete()
    DigestRun.objects.filter(period=period.key).delete()

    for label, username in (("1 community", _member_with(1)), ("5 communities", _member_with(COMMUNITIES))):
        counter = QueryCounter()
        member = User.objects.get(username=username)
        with connection.execute_wrapper(counter):
            digest_for(user=member, period=period)
        print(f"compose one digest, member of {label}: {counter.count} queries")

    counter = QueryCounter()
    saved = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        _run, due = services.open_run(period=period)
        due = due[:members]  # the first ``members`` of a larger seed: a quick look
        size = settings.DIGEST_BATCH_SIZE
        sent = 0
        for start in range(0, len(due), size):
            mail.outbox = []
            result = services.deliver_batch(period=period, user_ids=due[start : start + size])
            sent += len(result.sent)
            assert len(mail.outbox) == len(result.sent)
            if save_emails:
                saved += [_masked(message) for message in mail.outbox]
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    members = len(due)
    print(f"members: {members}, sent: {sent}, batches of {size}")
    print(f"total: {elapsed:.1f}s ({members / elapsed:.0f} members/s, {1000 * elapsed / members:.1f} ms per member)")
    print(f"queries: {counter.count} ({counter.count / members:.2f} per member)")
    print(f"CPU time of this process: {cpu:.1f}s ({1000 * cpu / members:.1f} ms per member); load {_load()}")
    if save_emails:
        Path(save_emails).write_text(json.dumps(sorted(saved), indent=1))
        print(f"{len(saved)} emails written to {save_emails}")


def _load():
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def _masked(message):
    """An email's recipient, subject and parts, with the tokens that differ from run to run masked."""
    unsubscribe = re.compile(r"/digests/unsubscribe/[^/]+/")
    parts = [message.body] + [content for content, _mimetype in message.alternatives]
    return [message.to[0], message.subject] + [unsubscribe.sub("/digests/unsubscribe/TOKEN/", p) for p in parts]


def _member_with(count):
    from django.db.models import Count

    from accounts.models import User

    return (
        User.objects.filter(username__startswith="dg")
        .annotate(n=Count("memberships"))
        .filter(n=count)
        .values_list("username", flat=True)
        .first()
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--save-emails", metavar="FILE", help="write every email (tokens masked) to FILE as JSON")
    args = parser.parse_args()
    from bench.common import ensure_database

    ensure_database(URL)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from digests.periods import current_period, parse_period

    period = parse_period(current_period().end.strftime("%Y-%m"))
    seed(args.members, args.reseed, period)
    run(period, args.members, save_emails=args.save_emails)


if __name__ == "__main__":
    main()
