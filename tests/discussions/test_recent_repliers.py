"""The thread list's avatars of the last people to reply (discussions.selectors.with_recent_repliers)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from discussions.selectors import with_recent_repliers
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def reply(thread, author, minutes_ago, **extra):
    return PostFactory(
        thread=thread, author=author, created_at=timezone.now() - timedelta(minutes=minutes_ago), **extra
    )


def test_the_last_three_distinct_people_newest_first(community, django_assert_num_queries):
    thread, quiet = ThreadFactory(community=community), ThreadFactory(community=community)
    ana, ben, cy, dee = (UserFactory(username=name) for name in ("ana", "ben", "cy", "dee"))
    reply(thread, dee, 50)
    reply(thread, cy, 40)
    reply(thread, ana, 30)
    reply(thread, ben, 20)
    reply(thread, ana, 10)  # ana again: counted once, at her newest reply
    with django_assert_num_queries(2):
        by_id = {t.pk: t for t in with_recent_repliers([thread, quiet])}
        names = [p.username for p in by_id[thread.pk].recent_repliers]
    assert names == ["ana", "ben", "cy"]
    assert by_id[quiet.pk].recent_repliers == []


def test_deleted_and_hidden_replies_and_former_members_do_not_count(community):
    thread = ThreadFactory(community=community)
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    reply(thread, ana, 30)
    reply(thread, ben, 20, is_deleted=True)
    reply(thread, ben, 15, is_hidden=True)
    reply(thread, None, 10)
    [row] = with_recent_repliers([thread])
    assert [p.username for p in row.recent_repliers] == ["ana"]


def test_no_threads_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert with_recent_repliers([]) == []


def test_the_thread_list_shows_them_named_for_screen_readers(client, community):
    member = MembershipFactory(community=community).user
    thread = ThreadFactory(community=community, author=member)
    reply(thread, UserFactory(username="rivera", display_name="Ana Rivera"), 5)
    client.force_login(member)
    page = client.get(f"/c/{community.slug}/t/").content.decode()
    assert "Last replies by" in page
    assert 'role="img" aria-label="Ana Rivera (@rivera)"' in page


def test_the_two_queries_are_compiled_once_for_each_length():
    from discussions import selectors

    for statement in (selectors._ranked_statement(5, 3), selectors._people_statement(7)):
        assert statement.frozen is not None, statement.error
