"""core.compiled: a fixed-shape queryset (or its count) compiled once gives what the ORM gives, for any
values, and anything it cannot compile safely runs through the ORM instead (issue 19)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Count, OuterRef, Q, Subquery, signals
from django.test import override_settings
from django.utils import timezone

from calendar_app import selectors as calendar_selectors
from calendar_app.models import DutyState, Responsibility
from communities.models import Community, Membership
from core.compiled import Compiled, Counted, Derived
from discussions.models import Post, Thread
from polls import selectors as poll_selectors
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory, ResponsibilityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory
from tests.polls.factories import PollFactory, add_ballot

pytestmark = pytest.mark.django_db


def _memberships(member, since):
    return (
        Membership.objects.filter(user_id=member, joined_at__gte=since)
        .select_related("community", "user")
        .annotate(others=Count("community__memberships"))
        .order_by("community__name")
    )


@pytest.fixture
def people():
    a, b = CommunityFactory(name="A"), CommunityFactory(name="B")
    first = MembershipFactory(community=a).user
    MembershipFactory(community=b, user=first)
    second = MembershipFactory(community=b).user
    MembershipFactory(community=b)
    return first, second


def test_rows_are_the_orms_for_every_value(people, django_assert_num_queries):
    statement = Compiled(_memberships, member=int, since=datetime)
    assert statement.frozen is not None, statement.error
    long_ago = timezone.now() - timedelta(days=1)
    for person in people:
        expected = list(_memberships(person.pk, long_ago))
        with django_assert_num_queries(1):
            found = statement(member=person.pk, since=long_ago)
        assert [(m.pk, m.community.name, m.user.username, m.others) for m in found] == [
            (m.pk, m.community.name, m.user.username, m.others) for m in expected
        ]
        assert found
        assert all(m.joined_at == e.joined_at for m, e in zip(found, expected, strict=True))
    assert statement(member=people[0].pk, since=timezone.now() + timedelta(days=1)) == []


def test_values_lists_and_derived_slots(people):
    def names(member, since):
        until = since + timedelta(days=2)  # the builder works it out itself; the slot says how
        return Community.objects.filter(
            memberships__user_id=member, created_at__gte=since, created_at__lt=until
        ).values_list("name", "pk")

    statement = Compiled(names, member=int, since=datetime, until=Derived(lambda v: v["since"] + timedelta(days=2)))
    assert statement.frozen is not None, statement.error
    now = timezone.now()
    earlier = now - timedelta(days=1)
    assert sorted(statement(member=people[0].pk, since=earlier)) == sorted(names(people[0].pk, earlier))
    assert len(statement(member=people[0].pk, since=earlier)) == 2
    assert statement(member=people[0].pk, since=now - timedelta(days=30)) == []

    flat = Compiled(
        lambda member: Community.objects.filter(memberships__user_id=member).values_list("name", flat=True), member=int
    )
    assert sorted(flat(member=people[0].pk)) == ["A", "B"]


def test_a_builder_that_reads_the_clock_is_not_compiled(people):
    def recent(member):
        return Membership.objects.filter(user_id=member, joined_at__lte=timezone.now())

    statement = Compiled(recent, member=int)
    assert statement.frozen is None
    assert "depends on something other than the slots" in statement.error
    assert len(statement(member=people[0].pk)) == 2  # the ORM's answer, every time


def test_sql_that_changes_from_one_build_to_the_next_is_not_compiled(people):
    builds = []

    def shaped(member):
        builds.append(member)
        rows = Membership.objects.filter(user_id=member)
        return rows.filter(Q(is_moderator=True)) if len(builds) % 2 else rows

    statement = Compiled(shaped, member=int)
    assert statement.frozen is None
    assert statement.error == "the SQL depends on the values"


def test_a_slot_the_sql_never_uses_is_refused():
    statement = Compiled(lambda member, since: Membership.objects.filter(user_id=member), member=int, since=datetime)
    assert statement.frozen is None
    assert "since" in statement.error


def test_a_builder_that_reads_todays_date_is_not_compiled(community, member):
    # Both builds in one zone would give the same date, frozen into the SQL until the process ends.
    def due(member):
        return Responsibility.objects.filter(assignee_id=member, due_date__gte=timezone.localdate())

    ResponsibilityFactory(activity__community=community, assignee=member, due_date=timezone.localdate())
    statement = Compiled(due, member=int)
    assert statement.frozen is None
    assert "depends on something other than the slots" in statement.error
    assert len(statement(member=member.pk)) == 1


def test_a_builder_that_reads_the_time_zone_is_not_compiled(people):
    def local(member):
        return Membership.objects.filter(user_id=member).values_list("joined_at__date", flat=True)

    statement = Compiled(local, member=int)
    assert statement.frozen is None
    with timezone.override("Pacific/Kiritimati"):
        assert statement(member=people[0].pk) == list(local(people[0].pk))


def test_a_slice_of_a_slot_is_refused():
    # LIMIT and OFFSET are written into the SQL: the caller keys one statement per slice.
    statement = Compiled(lambda limit: Thread.objects.order_by("pk")[:-limit], limit=int)
    assert statement.frozen is None
    assert statement.error == "the SQL depends on the values"


def _replies_of(thread):
    counted = Post.objects.filter(thread=OuterRef("thread")).order_by().values("thread").annotate(n=Count("pk"))
    return (
        Post.objects.filter(thread_id=thread)
        .select_related("author", "thread")
        .only("body_html", "created_at", "thread__title", "author__username")
        .annotate(in_thread=Subquery(counted.values("n")))
        .order_by("created_at", "id")
    )


def test_deferred_fields_and_nested_relations_are_the_orms(django_assert_num_queries):
    one, two = ThreadFactory(title="One"), ThreadFactory(title="Two")
    for thread, count in ((one, 2), (two, 3)):
        for _ in range(count):
            PostFactory(thread=thread)
    statement = Compiled(_replies_of, thread=int)
    assert statement.frozen is not None, statement.error
    for thread in (one, two, one):
        expected = list(_replies_of(thread.pk))
        with django_assert_num_queries(1):
            got = statement(thread=thread.pk)
            shown = [(p.pk, p.body_html, p.created_at, p.thread.title, p.author.username, p.in_thread) for p in got]
        assert shown == [
            (p.pk, p.body_html, p.created_at, p.thread.title, p.author.username, p.in_thread) for p in expected
        ]
    assert statement(thread=10**9) == []


def test_instances_behave_as_the_orms_own(django_assert_num_queries):
    post = PostFactory(body="Original words")
    got = Compiled(_replies_of, thread=int)(thread=post.thread_id)[0]
    assert got == post
    assert got._state.adding is False
    assert got._state.db == "default"
    assert got.get_deferred_fields() == {f.attname for f in Post._meta.concrete_fields} - {
        "id",
        "body_html",
        "created_at",
        "thread_id",
        "author_id",
    }
    with django_assert_num_queries(1):
        assert got.body == "Original words"  # a deferred field loads when read
    got.body = "New words"
    got.save(update_fields=["body"])
    post.refresh_from_db()
    assert post.body == "New words"


def test_instances_of_a_model_someone_listens_to_are_made_by_init():
    post = PostFactory()
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(type(instance))

    statement = Compiled(_replies_of, thread=int)
    signals.post_init.connect(listener, sender=Thread)
    try:
        got = statement(thread=post.thread_id)
    finally:
        signals.post_init.disconnect(listener, sender=Thread)
    assert heard == [Thread]
    assert got[0].thread.title == post.thread.title


def test_a_count_is_the_orms_count_for_every_value(people, django_assert_num_queries):
    def memberships(member, since):
        return Membership.objects.filter(user_id=member, joined_at__gte=since)

    count = Counted(memberships, member=int, since=datetime)
    capped = Counted(lambda member: Membership.objects.filter(user_id=member).order_by("pk")[:1], member=int)
    assert count.frozen is not None, count.error
    assert capped.frozen is not None, capped.error
    long_ago = timezone.now() - timedelta(days=1)
    for person in people:
        expected = memberships(person.pk, long_ago).count()
        with django_assert_num_queries(1):
            assert count(member=person.pk, since=long_ago) == expected
    assert count(member=people[0].pk, since=long_ago) == 2
    assert count(member=people[0].pk, since=timezone.now() + timedelta(days=1)) == 0
    assert capped(member=people[0].pk) == 1


def test_a_count_that_cannot_be_compiled_is_the_orms():
    count = Counted(lambda member: Membership.objects.filter(user_id=member, joined_at__lte=timezone.now()), member=int)
    assert count.frozen is None
    member = MembershipFactory().user
    assert count(member=member.pk) == 1


MARCH = datetime(2026, 3, 2, 15, tzinfo=UTC)


def test_the_month_rows_are_the_orms(community):
    series = ActivityFactory(community=community, start=MARCH, recurrence="FREQ=WEEKLY")  # no end
    OccurrenceChangeFactory(activity=series, original_start=MARCH + timedelta(days=7), cancelled=True)
    OccurrenceChangeFactory(
        activity=series,
        original_start=MARCH + timedelta(days=14),
        new_start=MARCH + timedelta(days=15),
        new_end=MARCH + timedelta(days=15, hours=1),
    )
    ActivityFactory(community=community, start=MARCH + timedelta(days=3), all_day=True, time_zone="Asia/Tokyo")
    ActivityFactory(community=community, start=MARCH + timedelta(days=90))  # another month
    ActivityFactory(start=MARCH)  # another community
    _weeks, start, end = calendar_selectors.month_window(MARCH.date().replace(day=1))
    assert calendar_selectors._month_rows_statement().frozen is not None
    compiled = calendar_selectors.month_rows(community=community, start=start, end=end)
    orm = list(calendar_selectors._month_rows_query(community_id=community.pk, start=start, end=end))
    assert compiled == orm
    assert repr(compiled) == repr(orm)  # the grid's cache key digests their repr
    assert len(compiled) == 3  # the series twice (two exceptions), the all-day activity once


def test_a_duty_is_due_soon_by_the_setting_of_the_day_not_of_the_compiling(community, member):
    duty = ResponsibilityFactory(activity__community=community, assignee=member)
    today = timezone.localdate()
    duty.due_date = today + timedelta(days=5)
    duty.save()
    membership = Membership.objects.get(community=community, user=member)

    def state(days):
        with override_settings(RESPONSIBILITY_DUE_SOON_DAYS=days):
            (found,) = calendar_selectors.member_duties(
                community=community,
                user=member,
                membership=membership,
                start=date(today.year - 1, 1, 1),
                end=today + timedelta(days=60),
            )
        return found.state

    assert state(3) == DutyState.OPEN
    assert state(7) == DutyState.DUE_SOON
    assert state(3) == DutyState.OPEN


def test_the_poll_pages_counts_and_answer_are_the_orms(community, member):
    poll = PollFactory(community=community, kind="multiple")
    yes, no, unsure = poll.choices.all()
    add_ballot(poll, member, yes, unsure)
    for _ in range(3):
        add_ballot(poll, MembershipFactory(community=community).user, no)
    for query, values in (
        (poll_selectors._counts_query, {"poll_id": poll.pk, "community_id": community.pk}),
        (poll_selectors._answer_query, {"poll_id": poll.pk, "voter_id": member.pk}),
    ):
        assert poll_selectors._compiled(query).frozen is not None
        assert poll_selectors._rows(query, **values) == list(query(**values))
    answer = poll_selectors.my_answer(poll=poll, user=member)
    assert answer.answered
    assert answer.choice_ids == {yes.pk, unsure.pk}
    results = poll_selectors.poll_results(poll=poll, with_districts=False)
    assert (results.voters, results.members) == (4, Membership.objects.filter(community=community).count())
    assert [(row.choice.label, row.count) for row in results.choices] == [("Yes", 1), ("No", 3), ("Not sure", 1)]
