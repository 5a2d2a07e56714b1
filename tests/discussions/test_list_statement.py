"""The discussion list in one statement (discussions.selectors.thread_list_page, issue 19): for every
viewer, sort, filter and page it shows exactly what the querysets it replaced show (threads_for_list,
with_read_state, thread_counts, with_recent_repliers, the Paginator and the form's focus areas)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from communities.models import FocusArea
from communities.permissions import access_for
from discussions import selectors
from discussions.fragments import _row_shown
from discussions.models import Post, ReadMark, Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(community, member, moderator):
    """31 threads (two pages) in every state a row shows, replies that count and replies that do not."""
    area = FocusAreaFactory(community=community, name="Coding & <robots>", position=2)
    FocusAreaFactory(community=community, name="Assessment", position=1)
    FocusAreaFactory(name="Another community's area")
    people = [UserFactory(display_name=f"Person {n}", avatar="avatars/abc.webp" if n % 2 else "") for n in range(5)]
    start = timezone.now() - timedelta(days=60)
    threads = []
    for n in range(31):
        kind = Thread.Kind.values[n % len(Thread.Kind.values)]
        thread = ThreadFactory(
            community=community,
            author=None if n == 7 else people[n % 5] if n % 3 else member,
            title=f"Thread {n} <b>",
            kind=kind,
            focus_area=area if n % 4 == 0 else None,
            is_pinned=n in (3, 20),
            is_locked=n == 5,
            is_hidden=n in (6, 11),
        )
        when = start + timedelta(hours=n * 7 % 31)
        Thread.objects.filter(pk=thread.pk).update(
            created_at=when, last_activity_at=when + timedelta(days=n % 3), helpful_count=n % 4
        )
        threads.append(thread)
    for n, thread in enumerate(threads[:12]):
        for k in range(n % 5):
            PostFactory(thread=thread, author=people[(n + k) % 5])
        PostFactory(thread=thread, author=member)
    PostFactory(thread=threads[1], author=people[4], is_deleted=True)
    PostFactory(thread=threads[1], author=people[3], is_hidden=True)
    PostFactory(thread=threads[2], author=None)
    answer = PostFactory(thread=threads[0], author=people[1])
    Thread.objects.filter(pk=threads[0].pk).update(accepted_post=answer)
    first = Post.objects.filter(thread=threads[2]).order_by("pk").first()
    ReadMark.objects.create(user=member, thread=threads[2], upto=first.pk)
    ReadMark.objects.create(user=member, thread=threads[4], upto=10**9)
    ReadMark.objects.create(user=moderator, thread=threads[6], upto=0)
    return area


def shown(listing):
    rows = [
        (
            _row_shown(thread),
            getattr(thread, "read_upto", "absent"),
            getattr(thread, "new_replies", "absent"),
            [person.name for person in thread.recent_repliers],
            thread.author.name if thread.author else None,
        )
        for thread in listing.threads
    ]
    page = listing.page
    return rows, listing.counts, page.number, page.paginator.count, page.paginator.num_pages


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator", "outsider"])
@pytest.mark.parametrize(
    ("sort", "kind", "in_area"),
    [("latest", "", False), ("newest", "", False), ("unanswered", "", False), ("helpful", "", False),
     ("latest", "question", False), ("helpful", "idea", True), ("latest", "", True), ("newest", "success", True)],
)  # fmt: skip
def test_the_statement_shows_what_the_querysets_show(community, member, moderator, busy, who, sort, kind, in_area):
    viewer = {
        "anonymous": AnonymousUser(),
        "member": member,
        "moderator": moderator,
        "outsider": UserFactory(),
    }[who]
    access = access_for(viewer, community)
    areas = [(area.pk, area.name) for area in FocusArea.objects.filter(community=community)]
    for page_number in (None, "1", "2", "3", "0", "-1", "abc", "2.0", "99999999999999999999"):
        wanted = {"sort": sort, "kind": kind, "focus_area": busy if in_area else None, "page_number": page_number}
        one = selectors.thread_list_page(access=access, user=viewer, **wanted)
        many = selectors._thread_list_page_orm(
            access=access, user=viewer, per_page=selectors.THREADS_PER_PAGE, **wanted
        )
        assert shown(one) == shown(many), page_number
        assert one.focus_areas == areas


def test_the_rows_are_the_filtered_page_and_the_counts_the_whole_community(community, member, busy):
    listing = selectors.thread_list_page(access=access_for(member, community), user=member, page_number="2")
    assert listing.counts["total"] == listing.counts["listed"] == 29  # two hidden threads left out
    assert listing.page.number == 2
    assert listing.page.paginator.num_pages == 2
    assert len(listing.threads) == 4
    assert sum(listing.counts[kind] for kind in Thread.Kind.values) == 29
    assert not any(thread.is_hidden for thread in listing.threads)


def test_a_community_without_threads_gives_an_empty_first_page(community, member):
    MembershipFactory(community=community)
    listing = selectors.thread_list_page(access=access_for(member, community), user=member, page_number="4")
    assert listing.threads == []
    assert listing.page.number == 1
    assert listing.counts["total"] == 0
    assert listing.focus_areas == []


def test_the_rows_columns_are_in_each_models_field_order():
    # Model.from_db takes the values in the model's field order, whatever order the names come in.
    for model, names in ((Thread, selectors._ROW_COLUMNS), (User, selectors._PERSON_FIELDS)):
        order = [f.attname for f in model._meta.concrete_fields]
        assert [name for name in order if name in names] == list(names)
