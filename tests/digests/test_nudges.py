"""Issue 17, item 5: nudges that close the loop, and item 6: "What needs me" grouped by community."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from digests.emails import render_digest
from digests.periods import parse_period
from digests.selectors import answer_nudges_for, calls_to_action, digest_for, onboarding_for
from discussions.models import Thread
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def asker(community):
    user = UserFactory(display_name="Ana Asker")
    MembershipFactory(user=user, community=community)
    return user


@pytest.fixture
def question(community, asker):
    thread = ThreadFactory(community=community, author=asker, title="How do you grade loops?", created_at=days_ago(4))
    PostFactory(thread=thread, author=MembershipFactory(community=community).user, body="With a rubric.")
    PostFactory(thread=thread, author=MembershipFactory(community=community).user, body="Peer review works.")
    return thread


# -- "Did one of these answer you?" ----------------------------------------------------------


def test_an_asker_is_asked_after_three_days_with_the_replies_listed(asker, question):
    (nudge,) = calls_to_action(user=asker).nudges
    assert nudge.thread == question
    assert [post.body for post in nudge.replies] == ["With a rubric.", "Peer review works."]
    assert all(path.endswith("/accept/") for _post, path in nudge.choices)


def test_not_before_the_days_pass_and_the_days_are_a_setting(asker, question, settings):
    Thread.objects.filter(pk=question.pk).update(created_at=days_ago(2))
    assert answer_nudges_for(user=asker) == []
    settings.ANSWER_NUDGE_DAYS = 1
    assert len(answer_nudges_for(user=asker)) == 1


def test_no_nudge_without_replies_from_others_with_an_accepted_answer_or_for_someone_else(community, asker, question):
    lonely = ThreadFactory(community=community, author=asker, title="Nobody answered", created_at=days_ago(9))
    PostFactory(thread=lonely, author=asker, body="Anyone?")  # only the asker's own follow-up
    other = MembershipFactory(community=community).user
    assert [n.thread.title for n in answer_nudges_for(user=asker)] == ["How do you grade loops?"]
    assert answer_nudges_for(user=other) == []
    question.accepted_post = question.posts.first()
    question.save()
    assert answer_nudges_for(user=asker) == []


def test_hidden_and_deleted_replies_are_not_offered(asker, question):
    question.posts.filter(body="With a rubric.").update(is_hidden=True)
    (nudge,) = answer_nudges_for(user=asker)
    assert [post.body for post in nudge.replies] == ["Peer review works."]


def test_a_former_member_is_not_nudged(asker, question):
    asker.memberships.all().delete()
    assert answer_nudges_for(user=asker) == []


def test_one_click_on_the_home_page_accepts_the_answer(client, asker, question):
    asker.date_joined -= timedelta(days=90)
    asker.save()
    client.force_login(asker)
    page = client.get("/").content.decode()
    assert "Did one of these answer you?" in page
    assert "Peer review works." in page
    reply = question.posts.get(body="Peer review works.")
    accept = reverse(
        "discussions:accept", kwargs={"slug": question.community.slug, "thread_id": question.pk, "post_id": reply.pk}
    )
    assert f'action="{accept}"' in page
    assert client.post(accept).status_code == 302
    question.refresh_from_db()
    assert question.accepted_post_id == reply.pk
    assert "Did one of these answer you?" not in client.get("/").content.decode()


def test_someone_else_cannot_accept_through_the_nudges_form(client, community, asker, question):
    reply = question.posts.first()
    accept = reverse(
        "discussions:accept", kwargs={"slug": community.slug, "thread_id": question.pk, "post_id": reply.pk}
    )
    client.force_login(MembershipFactory(community=community).user)
    assert client.post(accept).status_code == 403
    client.logout()
    assert client.post(accept).status_code == 302  # to the login page
    question.refresh_from_db()
    assert question.accepted_post_id is None


def test_a_reply_of_another_community_cannot_be_accepted_here(client, community, asker, question):
    elsewhere = PostFactory(thread=ThreadFactory(community=CommunityFactory()))
    accept = reverse(
        "discussions:accept", kwargs={"slug": community.slug, "thread_id": question.pk, "post_id": elsewhere.pk}
    )
    client.force_login(asker)
    assert client.post(accept).status_code == 404


def test_the_digest_asks_too(asker, question):
    next_month = (timezone.now() + timedelta(days=31)).strftime("%Y-%m")
    digest = digest_for(user=asker, period=parse_period(next_month))
    _subject, text, html = render_digest(digest)
    assert 'Did one of these answer you? Your question "How do you grade loops?"' in text
    assert "Peer review works." in text
    assert "Did one of these answer you?" in html


# -- an activity already answered --------------------------------------------------------------


def test_an_activity_already_answered_is_not_an_rsvp_call_to_action(community, asker):
    soon = datetime.now(UTC) + timedelta(days=2)
    answered = ActivityFactory(community=community, title="Answered chat", start=soon)
    ActivityFactory(community=community, title="Open chat", start=soon + timedelta(hours=2))
    RSVPFactory(activity=answered, user=asker, response="not_going")
    assert [item.title for item in calls_to_action(user=asker).activities] == ["Open chat"]


def test_one_answered_date_of_a_series_leaves_the_other_dates_asked(community, asker):
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    weekly = ActivityFactory(community=community, title="Weekly chat", start=start, recurrence="FREQ=WEEKLY;COUNT=3")
    RSVPFactory(activity=weekly, user=asker, occurrence_start=start)
    items = calls_to_action(user=asker).activities
    assert [item.when for item in items] == [start + timedelta(days=7), start + timedelta(days=14)]


# -- the onboarding checklist ------------------------------------------------------------------


def steps(user):
    checklist = onboarding_for(user=user)
    return None if checklist is None else [(step.label, step.done) for step in checklist.steps]


def test_a_brand_new_member_starts_with_the_checklist_all_to_do():
    user = UserFactory()
    assert steps(user) == [
        ("Confirm your district and time zone", False),
        ("Join a community", False),
        ("Introduce yourself in its welcome thread", False),
        ("Follow a focus area", False),
    ]


def test_each_step_is_done_from_what_they_really_did(community):
    user = UserFactory()
    user.district = DistrictFactory(name="Riverside USD")
    user.time_zone = "America/Chicago"
    user.save()
    MembershipFactory(user=user, community=community)
    welcome = ThreadFactory(community=community, title="Welcome! Introduce yourself", is_pinned=True)
    assert steps(user) == [
        ("Confirm your district and time zone", True),
        ("Join a community", True),
        (f"Introduce yourself in {community.name}'s welcome thread", False),
        ("Follow a focus area", False),
    ]
    PostFactory(thread=ThreadFactory(community=community), author=user)  # elsewhere: not the welcome thread
    assert steps(user)[2][1] is False
    PostFactory(thread=welcome, author=user, body="Hi, I teach grade 5 in Riverside.")
    FocusAreaFactory(community=community).followers.add(user)
    assert onboarding_for(user=user) is None or not onboarding_for(user=user)


def introduction(user):
    checklist = onboarding_for(user=user)
    return checklist.steps[2].done, checklist.steps[2].path


def test_without_a_welcome_thread_any_post_or_thread_of_theirs_there_introduces_them(community):
    user = UserFactory()
    MembershipFactory(user=user, community=community)
    MembershipFactory(user=user, community=CommunityFactory())  # joined later: not the first community
    ThreadFactory(community=community, title="Hidden welcome", is_pinned=True, is_hidden=True)  # not shown
    listed = reverse("discussions:list", kwargs={"slug": community.slug})
    assert introduction(user) == (False, listed)
    PostFactory(thread=ThreadFactory(community=CommunityFactory()), author=user)  # another community
    assert introduction(user) == (False, listed)
    ThreadFactory(community=community, author=user)
    assert introduction(user) == (True, listed)


def test_a_post_there_introduces_them_when_there_is_no_welcome_thread(community):
    user = UserFactory()
    MembershipFactory(user=user, community=community)
    PostFactory(thread=ThreadFactory(community=community), author=user)
    assert introduction(user)[0] is True


def test_the_step_links_to_the_first_pinned_thread_and_a_deleted_reply_does_not_count(community):
    user = UserFactory()
    MembershipFactory(user=user, community=community)
    first = ThreadFactory(community=community, title="Welcome, all", is_pinned=True)
    ThreadFactory(community=community, title="Rules", is_pinned=True, created_at=first.created_at + timedelta(hours=1))
    PostFactory(thread=first, author=user, is_deleted=True)
    assert introduction(user) == (False, first.get_absolute_url())
    PostFactory(thread=first, author=user)
    assert introduction(user) == (True, first.get_absolute_url())


def test_the_checklist_is_one_query_whatever_they_did(community, assert_num_queries_exact):
    user = UserFactory()
    with assert_num_queries_exact(1):
        onboarding_for(user=user)
    MembershipFactory(user=user, community=community)
    welcome = ThreadFactory(community=community, is_pinned=True)
    PostFactory(thread=welcome, author=user)
    with assert_num_queries_exact(1):  # 3 before issue 19: the welcome thread and their reply had their own
        assert introduction(user)[0] is True


def test_the_checklist_ends_after_the_first_weeks(settings):
    user = UserFactory()
    user.date_joined = timezone.now() - timedelta(days=settings.ONBOARDING_DAYS + 1)
    user.save()
    assert onboarding_for(user=user) is None


def test_the_home_page_starts_with_the_checklist_and_links_each_step(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/").content.decode()
    section = page[page.index('id="what-needs-me"') :]
    assert section.index("Getting started: 0 of 4 done") < section.index("Join a community")
    assert f'href="{reverse("communities:directory")}">Join a community' in section
    assert f'href="{reverse("accounts:settings")}">Confirm your district and time zone' in section
    assert "Nothing needs you right now" not in section


# -- grouped by community, one layout -------------------------------------------------------------


def test_what_needs_me_is_grouped_by_community_with_the_same_row_for_every_kind(client, asker, community):
    second = CommunityFactory(name="Aardvark readers")
    MembershipFactory(user=asker, community=second)
    soon = datetime.now(UTC) + timedelta(days=3)
    ActivityFactory(community=community, title="Loops chat", start=soon)
    ActivityFactory(community=second, title="Reading chat", start=soon)
    groups = calls_to_action(user=asker).by_community
    assert [(g.community.name, [i.title for i in g.items]) for g in groups] == [
        ("Aardvark readers", ["Reading chat"]),
        (community.name, ["Loops chat"]),
    ]
    asker.time_zone = "America/Chicago"
    asker.date_joined -= timedelta(days=90)
    asker.save()
    client.force_login(asker)
    page = client.get("/").content.decode()
    section = page[page.index('id="what-needs-me"') :]
    assert section.index("Aardvark readers") < section.index("Reading chat") < section.index(community.name)
    assert "Dates and times in your time zone, America/Chicago." in section
    assert section.count('<span class="badge text-bg-light border me-1">Activity</span>') == 2
    assert "CST</time>" in section or "CDT</time>" in section
