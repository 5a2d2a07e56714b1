"""Demo discussions: every demo community gets threads of every kind with nested replies,
helpful reactions, an accepted answer and a few unanswered questions. Idempotent: keyed by title."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from communities.demo import COMMUNITIES
from communities.models import Community, Membership
from discussions.models import Post, Reaction, Subscription, Thread
from discussions.services import _new_post, refresh_search_words, render_body
from notifications import kinds
from notifications.services import fan_out, payload_for

# (kind, focus area index or None, title, body, replies); a reply is (author, body, [replies]).
THREADS = [
    (
        "question",
        0,
        "How do you keep second graders focused during unplugged loop activities?",
        "My class loves the idea of *loops* but loses focus after ten minutes. What has worked for you?",
        [
            (
                "peer",
                "Try a **dance routine** with repeat blocks: students call out the loop count.",
                [
                    (
                        "jordan",
                        "We did this with the hokey pokey. Huge hit!",
                        [
                            (
                                "teacher",
                                "Love it. Did you write the routine on the board first?",
                                [
                                    ("jordan", "Yes, as cards they could rearrange.", []),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            ("amara", "Short rounds of 5 minutes, then switch roles between *programmer* and *robot*.", []),
        ],
    ),
    (
        "success",
        1,
        "Our Scratch game jam brought families into the classroom",
        "Fourth graders built games in Scratch and families played them at open house. Attendance doubled.",
        [
            (
                "moderator",
                "Wonderful! Could you share the invitation you sent home?",
                [
                    ("peer", "Here it is: a one-page flyer in English and Spanish.", []),
                ],
            )
        ],
    ),
    (
        "challenge",
        2,
        "Assessing computational thinking without a test",
        "We want to see growth in decomposition, but our rubric feels vague. How do you assess it?",
        [("luis", "We use short *think-alouds* recorded on tablets, scored with a 3-level rubric.", [])],
    ),
    (
        "lesson",
        None,
        "Lesson learned: check the devices the day before",
        "Half our tablets needed updates during the lesson. Now a student team checks them the day before.",
        [("keiko", "Same here. We added it to the classroom jobs chart.", [])],
    ),
    (
        "idea",
        None,
        "Idea: a shared bank of unplugged activities by grade",
        "What if each of us adds one classroom-tested activity a month? We could tag them by grade.",
        [("fatima", "Count me in. I can start with a sorting network for grade 3.", [])],
    ),
    ("question", 1, "Which block-coding app works offline on old tablets?", "Our Wi-Fi is unreliable.", []),
    ("question", 2, "Rubric for pair programming?", "Looking for a simple rubric for pair programming roles.", []),
]


def _people():
    return {u.username: u for u in User.objects.all() if u.username}


def _add_replies(thread, replies, people, when, parent=None):
    for author_name, body, children in replies:
        author = people.get(author_name) or thread.author
        when += timedelta(hours=3)
        post, _ = _new_post(thread=thread, author=author, body=body, parent=parent, created_at=when)
        Subscription.objects.get_or_create(thread=thread, user=author)
        when = _add_replies(thread, children, people, when, parent=post)
    return when


def seed(*, stdout):
    _seed_threads(stdout)
    _seed_notifications(stdout)
    refresh_search_words()  # search's "Did you mean" knows the demo's words (PostgreSQL)


def _seed_threads(stdout):
    people = _people()
    now = timezone.now()
    for spec in COMMUNITIES:
        community = Community.objects.filter(slug=spec["slug"]).first()
        if community is None:
            continue
        areas = list(community.focus_areas.all())
        members = set(Membership.objects.filter(community=community).values_list("user__username", flat=True))
        for index, (kind, area_index, title, body, replies) in enumerate(THREADS):
            if Thread.objects.filter(community=community, title=title).exists():
                continue
            author = people.get("teacher" if "teacher" in members else "peer")
            created = now - timedelta(days=20 - index * 2)
            thread = Thread.objects.create(
                community=community,
                author=author,
                title=title,
                body=body,
                body_html=render_body(body)[0],
                kind=kind,
                focus_area=areas[area_index % len(areas)] if area_index is not None and areas else None,
                created_at=created,
                last_activity_at=created,
            )
            Subscription.objects.get_or_create(thread=thread, user=author)
            member_people = {name: p for name, p in people.items() if name in members}
            _add_replies(thread, replies, member_people, created)
            _react(thread, member_people)
            if kind == "question" and replies:
                first = thread.posts.filter(parent__isnull=True).order_by("created_at").first()
                thread.accepted_post = first
                thread.save(update_fields=["accepted_post"])
    stdout.write("  discussions: threads of every kind in each demo community")


def _seed_notifications(stdout):
    """The teacher's bell has something in it: a mention, a reply in a followed thread, helpful marks."""
    people = _people()
    teacher = people.get("teacher")
    thread = Thread.objects.filter(author=teacher).order_by("created_at").first() if teacher else None
    if thread is None:
        return
    posts = list(thread.posts.exclude(author=teacher).select_related("author", "community")[:2])
    for post, kind in zip(posts, (kinds.MENTION, kinds.FOLLOWED_REPLY), strict=False):
        fan_out(
            payload_for(
                kind=kind,
                recipients=[teacher],
                community=thread.community_id,
                actor=post.author_id,
                target=post,
                url=post.get_absolute_url(),
                subject=thread.title,
                event_key=f"demo:{kind}:{post.pk}",
            )
        )
    mine = Post.objects.filter(author=teacher).select_related("thread", "community").first()
    for voter in [p for name, p in people.items() if name != "teacher"][:3]:
        if mine is not None:
            fan_out(
                payload_for(
                    kind=kinds.HELPFUL,
                    recipients=[teacher],
                    community=mine.community_id,
                    actor=voter,
                    target=mine,
                    url=mine.get_absolute_url(),
                    subject=mine.thread.title,
                    event_key=f"demo:helpful:{mine.pk}:{voter.pk}",
                    group_key=f"helpful:{mine.pk}",
                )
            )
    stdout.write("  notifications: the teacher's bell has a mention, replies and helpful marks")


def _react(thread, people):
    voters = list(people.values())[:4]
    for post in thread.posts.filter(depth__lte=1):
        for voter in voters:
            if voter.pk != post.author_id:
                _, created = Reaction.objects.get_or_create(post=post, user=voter)
                if created:
                    Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
                    Thread.objects.filter(pk=thread.pk).update(helpful_count=F("helpful_count") + 1)
