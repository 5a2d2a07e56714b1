"""Seed the benchmark database: a realistic, large forum (run by bench/run.py).

    python bench/seed.py [--scale 1.0]

Full scale: 50 communities, 20,000 members, 100,000 threads, 1,000,000 posts of about
80 words of Markdown, 20,000 resources, 5,000 activities, 2,000 polls with ballots (one
with 5,000). The big tables go in with PostgreSQL COPY; Markdown is rendered once per
distinct body, as the site does at save time. Deterministic (fixed random seed).
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")

import django

django.setup()

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import (
    District,
    User,
)
from bench.corpus import Corpus
from calendar_app.models import RSVP, Activity, FeedToken, Responsibility
from calendar_app.services import _refresh_span
from communities.models import Community, FocusArea, Membership
from core.text import render_markdown
from discussions.models import Post, Reaction, Thread
from polls.models import Ballot, BallotChoice, Choice, Participation, Poll
from resources.models import Resource, join_codes

rng = random.Random(2026)
corpus = Corpus(2026)
BENCH_MEMBER_EMAIL = "bench-member@example.com"
BENCH_PASSWORD = "bench-pass-2026"  # noqa: S105 - benchmark data only


def sentence(n):
    return corpus.sentence(n)


def copy_rows(model, rows, columns):
    """COPY rows (tuples in ``columns`` order) into the model's table."""
    table = model._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        # Columns the rows leave out take the model's default (Django sets no database defaults).
        for field in model._meta.concrete_fields:
            if field.column not in columns and not field.null and field.has_default() and not callable(field.default):
                cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{field.column}" SET DEFAULT %s', [field.default])
    with connection.cursor() as cursor, cursor.connection.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def reset_sequence(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def step(label):
    print(f"  {label}...", flush=True)
    return time.monotonic()


def main(scale):
    n_communities = max(5, int(50 * scale))
    n_users = max(200, int(20_000 * scale))
    n_threads = max(500, int(100_000 * scale))
    n_posts = max(5_000, int(1_000_000 * scale))
    n_resources = max(200, int(20_000 * scale))
    n_activities = max(50, int(5_000 * scale))
    n_polls = max(20, int(2_000 * scale))
    now = timezone.now()
    started = time.monotonic()

    step("districts, communities, focus areas")
    districts = District.objects.bulk_create([District(name=f"District {i:02d}", region="Bench") for i in range(40)])
    visibilities = ["public"] * 7 + ["members"] * 2 + ["hidden"]
    communities = Community.objects.bulk_create(
        [
            Community(
                name=f"Bench Community {i:02d}",
                slug=f"bench-{i:02d}",
                tagline=sentence(8),
                domain=sentence(12),
                purpose=sentence(20),
                visibility=visibilities[i % len(visibilities)],
                join_policy="invitation" if visibilities[i % len(visibilities)] == "hidden" else "open",
            )
            for i in range(n_communities)
        ]
    )
    for community in communities:
        community.districts.add(*rng.sample(districts, 8))
    areas = FocusArea.objects.bulk_create(
        [
            FocusArea(community=c, name=f"Area {j}", slug=f"area-{j}", description=sentence(10), position=j)
            for c in communities
            for j in range(4)
        ]
    )
    areas_of = {c.pk: [a for a in areas if a.community_id == c.pk] for c in communities}

    step(f"{n_users} members")
    hasher_user = User(username="hasher")
    hasher_user.set_password(BENCH_PASSWORD)
    password = hasher_user.password
    users = User.objects.bulk_create(
        [
            User(
                username=f"member{i}",
                email=f"member{i}@example.com" if i else BENCH_MEMBER_EMAIL,
                display_name=f"Member {i}",
                password=password,
                district=districts[i % len(districts)],
            )
            for i in range(n_users)
        ],
        batch_size=5000,
    )
    user_ids = [u.pk for u in users]
    FeedToken.objects.bulk_create([FeedToken(user=u) for u in users], batch_size=5000)  # as signup does
    bench_member = users[0]

    step("memberships")
    members_of = {c.pk: set() for c in communities}
    for index, community in enumerate(communities):
        count = max(20, len(user_ids) // 8)
        members_of[community.pk].update(rng.sample(user_ids, count))
        if index < 5:  # the bench member belongs to exactly five communities
            members_of[community.pk].add(bench_member.pk)
        else:
            members_of[community.pk].discard(bench_member.pk)
    membership_rows = []
    for community in communities:
        for position, uid in enumerate(sorted(members_of[community.pk])):
            # The bench member is an ordinary member everywhere: no moderator or leader tools on their pages.
            staff = uid != bench_member.pk
            membership_rows.append(
                (uid, community.pk, staff and position < 4, staff and position % 50 == 4, False, now)
            )
    copy_rows(
        Membership,
        membership_rows,
        ["user_id", "community_id", "is_moderator", "is_district_leader", "is_mentor", "joined_at"],
    )
    member_lists = {pk: sorted(ids) for pk, ids in members_of.items()}

    step(f"{n_threads} threads and {n_posts} posts")
    # Distinct bodies (each reused by ~50 posts at full scale), rendered once as the site does at save time.
    bodies = [corpus.markdown() for _ in range(max(400, n_posts // 50))]
    htmls = [render_markdown(body) for body in bodies]
    kinds = [k for k, _ in Thread.Kind.choices]
    posts_per_thread = max(1, n_posts // n_threads)
    thread_rows, post_rows = [], []
    thread_id, post_id = 0, 0
    special = {}  # thread id -> label, for the pages bench/pages.py measures
    for community in communities:
        community_members = member_lists[community.pk]
        for _ in range(n_threads // n_communities):
            thread_id += 1
            created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 365))
            n = posts_per_thread
            if thread_id == 1:
                n, special[thread_id] = 20, "thread-20"
            elif thread_id == 2:
                n, special[thread_id] = 200, "thread-200"
            b = rng.randrange(len(bodies))
            thread_rows.append(
                [thread_id, community.pk, rng.choice(areas_of[community.pk]).pk, rng.choice(community_members),
                 corpus.title(), bodies[b], htmls[b], rng.choice(kinds), created,
                 created + timedelta(hours=n), n, 0, False, False, False, ""]
            )  # fmt: skip
            last_top, previous, previous_depth = None, None, 0
            for k in range(n):
                post_id += 1
                if thread_id == 2:
                    # 200 nested replies: 20 top-level posts, each with a chain of 9 replies below it.
                    nested = k % 10 != 0
                else:
                    nested = k > 0 and rng.random() < 0.4
                parent = previous if nested else None
                depth = previous_depth + 1 if nested else 0
                if parent is None:
                    last_top = post_id
                root = last_top if parent is not None else None
                previous, previous_depth = post_id, depth
                b = rng.randrange(len(bodies))
                post_rows.append(
                    [post_id, thread_id, community.pk, parent, root, depth, rng.choice(community_members), bodies[b],
                     htmls[b], created + timedelta(minutes=k + 1), rng.randint(0, 3), False, False, ""]
                )  # fmt: skip
    copy_rows(
        Thread,
        thread_rows,
        ["id", "community_id", "focus_area_id", "author_id", "title", "body", "body_html", "kind", "created_at",
         "last_activity_at", "reply_count", "helpful_count", "is_pinned", "is_locked", "is_hidden", "hidden_reason"],
    )  # fmt: skip
    del thread_rows
    copy_rows(
        Post,
        post_rows,
        ["id", "thread_id", "community_id", "parent_id", "root_id", "depth", "author_id", "body", "body_html",
         "created_at", "helpful_count", "is_deleted", "is_hidden", "hidden_reason"],
    )  # fmt: skip
    reaction_rows = []
    for row in post_rows[:: max(1, len(post_rows) // 50_000)]:
        reaction_rows.append((row[0], row[6], "helpful", now))
    del post_rows
    copy_rows(Reaction, reaction_rows, ["post_id", "user_id", "kind", "created_at"])
    reset_sequence(Thread)
    reset_sequence(Post)
    reset_sequence(Reaction)

    step(f"{n_resources} resources")
    resource_kinds = [k for k, _ in Resource.Kind.choices if k != "file"]
    statuses = ["approved"] * 6 + ["featured", "submitted", "rejected", "archived"]
    resources = []
    for i in range(n_resources):
        community = communities[i % n_communities]
        b = rng.randrange(len(bodies))
        status = statuses[i % len(statuses)]
        resources.append(
            Resource(
                community=community,
                title=sentence(rng.randint(4, 8))[:-1],
                description=bodies[b],
                description_html=htmls[b],
                kind=rng.choice(resource_kinds),
                url=f"https://example.org/resource/{i}",
                # Stored as the forms store them (",3-5,6-8,"), so the library's filters find them.
                grade_bands=join_codes(rng.choice([["k2"], ["3-5"], ["6-8"], ["9-12"], ["3-5", "6-8"]])),
                subjects=join_codes(rng.choice([["math"], ["science"], ["cs"], ["ela"], ["math", "cs"]])),
                tags="bench",
                submitted_by_id=rng.choice(member_lists[community.pk]),
                status=status,
                approved_at=now - timedelta(days=rng.randint(0, 300)) if status in ("approved", "featured") else None,
                featured_at=now - timedelta(days=rng.randint(0, 60)) if status == "featured" else None,
                useful_count=rng.randint(0, 40),
            )
        )
    Resource.objects.bulk_create(resources, batch_size=2000)

    step(f"{n_activities} activities with responsibilities and RSVPs")
    activity_kinds = [k for k, _ in Activity.Kind.choices]
    activities = []
    for i in range(n_activities):
        community = communities[i % n_communities]
        start = (now + timedelta(days=rng.randint(-120, 240))).replace(minute=0, second=0, microsecond=0)
        activity = Activity(
            community=community,
            title=sentence(5)[:-1],
            description=bodies[i % len(bodies)],
            description_html=htmls[i % len(htmls)],
            kind=rng.choice(activity_kinds),
            start=start,
            end=start + timedelta(hours=1),
            time_zone="America/Chicago",
            recurrence="RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=12" if i % 25 == 0 else "",
        )
        _refresh_span(activity)
        activities.append(activity)
    Activity.objects.bulk_create(activities, batch_size=2000)
    responsibilities, rsvps = [], []
    for activity in activities[::2]:
        responsibilities.append(
            Responsibility(
                activity=activity,
                district=rng.choice(districts),
                task="Prepare the agenda",
                due_date=(activity.start - timedelta(days=7)).date(),
            )
        )
        for uid in rng.sample(member_lists[activity.community_id], 5):
            rsvps.append(RSVP(activity=activity, user_id=uid, response="going"))
    Responsibility.objects.bulk_create(responsibilities, batch_size=5000)
    RSVP.objects.bulk_create(rsvps, batch_size=5000, ignore_conflicts=True)

    step(f"{n_polls} polls with ballots")
    polls = []
    for i in range(n_polls):
        community = communities[i % n_communities]
        opens = now - timedelta(days=rng.randint(31, 90))
        polls.append(
            Poll(
                community=community,
                question=sentence(8)[:-1] + "?",
                kind="single",
                opens_at=opens,
                closes_at=now + timedelta(days=rng.randint(-30, 30)) if i else None,
                results_visibility="always",
            )
        )
    Poll.objects.bulk_create(polls, batch_size=2000)
    choices = Choice.objects.bulk_create(
        [Choice(poll=p, label=f"Option {j + 1}", position=j) for p in polls for j in range(4)], batch_size=5000
    )
    choices_of = {}
    for choice in choices:
        choices_of.setdefault(choice.poll_id, []).append(choice.pk)
    participation_rows, ballot_rows, pick_rows = [], [], []
    big_poll = polls[0]
    big_members = member_lists[big_poll.community_id]
    for poll in polls:
        voters = big_members[:5000] if poll.pk == big_poll.pk else rng.sample(member_lists[poll.community_id], 40)
        for uid in voters:
            ballot_id = uuid.uuid4()
            participation_rows.append((poll.pk, uid))
            ballot_rows.append((ballot_id, poll.pk, uid, "", now))
            pick_rows.append((uuid.uuid4(), ballot_id, rng.choice(choices_of[poll.pk])))
    copy_rows(Participation, participation_rows, ["poll_id", "user_id"])
    copy_rows(Ballot, ballot_rows, ["id", "poll_id", "voter_id", "text", "updated_at"])
    copy_rows(BallotChoice, pick_rows, ["id", "ballot_id", "choice_id"])
    special[f"poll-{big_poll.pk}"] = f"poll with {len(big_members[:5000])} ballots"

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text primary key, value text)")
        cursor.execute(
            "INSERT INTO bench_meta VALUES ('seeded', 'yes'), ('big_poll', %s), ('member', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [str(big_poll.pk), BENCH_MEMBER_EMAIL],
        )
        cursor.execute("ANALYZE")
    print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    options = parser.parse_args()
    with transaction.atomic():
        main(options.scale)
