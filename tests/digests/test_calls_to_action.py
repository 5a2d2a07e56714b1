from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from digests.emails import render_digest
from digests.selectors import calls_to_action, digest_for
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.digests.world import build_world
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def titles(items):
    return [item.title for item in items]


def test_a_member_is_asked_about_her_districts_responsibility_polls_activities_and_questions(world):
    calls = calls_to_action(user=world.ana, month=world.period)
    # A responsibility's headline names the district and the activity (issue 17, item 6).
    assert titles(calls.responsibilities) == ["Riverside USD OURS district hosts for OURS webinar"]
    assert titles(calls.polls) == ["OURS poll: how is it going?"]
    assert titles(calls.activities) == ["OURS webinar"]
    assert titles(calls.questions) == ["OURS question nobody answered yet"]


def test_every_call_to_action_links_to_the_page_to_act_on(world, settings):
    calls = calls_to_action(user=world.ana, month=world.period)
    assert calls.polls[0].url.startswith(f"{settings.SITE_URL}/c/ct-k8/polls/")
    assert calls.activities[0].url.startswith(f"{settings.SITE_URL}/c/ct-k8/calendar/")
    assert calls.responsibilities[0].url.startswith(f"{settings.SITE_URL}/c/ct-k8/calendar/")
    assert calls.questions[0].url.startswith(f"{settings.SITE_URL}/c/ct-k8/t/")


def test_a_poll_already_answered_is_not_asked_again(world):
    calls = calls_to_action(user=world.ana, month=world.period)
    assert "OURS poll already answered" not in titles(calls.polls)


def test_nothing_is_asked_from_a_community_the_member_is_not_in(world):
    calls = calls_to_action(user=world.ana, month=world.period)
    everything = titles(calls.responsibilities + calls.polls + calls.activities + calls.questions)
    assert not [title for title in everything if "CIRCLE-ONLY" in title]


def test_a_member_of_both_communities_is_asked_about_both(world):
    calls = calls_to_action(user=world.ben, month=world.period)
    assert sorted(titles(calls.activities)) == ["CIRCLE-ONLY webinar", "OURS webinar"]
    assert sorted(titles(calls.responsibilities)) == [
        "Riverside USD CIRCLE-ONLY district hosts for CIRCLE-ONLY webinar",
        "Riverside USD OURS district hosts for OURS webinar",
    ]


def test_the_digest_has_the_calls_to_action_first_then_each_community(world):
    digest = digest_for(user=world.ana, period=world.period)
    _subject, text, html = render_digest(digest)
    order = [text.index(s) for s in ("WHAT NEEDS YOU", "OURS district hosts", "COMPUTATIONAL THINKING")]
    assert order == sorted(order)
    for expected in (
        "OURS note from the moderators.",
        "OURS helpful thread",
        "OURS featured resource",
        "Nia Newcomer",
        "OURS webinar",
    ):
        assert expected in text
        assert expected in html
    assert "CIRCLE-ONLY" not in text + html
    assert "Leaders Circle" not in text + html


def test_the_site_home_shows_what_needs_me_first(client, world):
    client.force_login(world.ana)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert page.index("What needs me") < page.index("Your communities")
    assert "OURS poll: how is it going?" in page
    assert "CIRCLE-ONLY" not in page
    first_h2 = page.index("<h2")
    assert page.index("What needs me") - first_h2 < 80, "What needs me should be the first section"


def test_the_site_home_says_when_nothing_needs_me(client, user):
    from tests.factories import MembershipFactory

    MembershipFactory(user=user)
    user.date_joined -= timedelta(days=60)  # past the onboarding checklist
    user.save()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert b"Nothing needs you right now" in response.content


def test_calls_to_action_cost_the_same_queries_however_much_there_is(world, assert_num_queries_exact):
    # 7: with the RSVPs already given (so answered activities are not asked again) and the asker's questions.
    # The RSVPs come with the activities (issue 19: 9 when they were a query of their own), the mentees' asks
    # with the check-ins (issue 19: 8 before).
    for person in (world.cy, world.ben):  # one community, then two with more content
        with assert_num_queries_exact(7):
            calls_to_action(user=person, month=world.period)


def test_the_site_home_costs_the_same_queries_however_much_there_is(client, assert_num_queries_exact):
    """11: the session, the user, Your communities (their member counts kept in the cache after the first visit),
    What needs me's duties, polls, activities with the RSVPs, their exceptions, questions, the asker's own questions,
    the mentees' asks with the check-ins, and the bell's count (issue 19: 13 when the communities they moderate,
    the asks and the check-ins were queries of their own)."""
    person = UserFactory(district=DistrictFactory(), date_joined=timezone.now() - timedelta(days=60))
    places = [CommunityFactory(), CommunityFactory()]
    soon = timezone.now() + timedelta(days=2)

    def add_calls(n):
        for community in places:
            for i in range(n):
                activity = ActivityFactory(
                    community=community, title=f"Chat {i}", start=soon, end=soon + timedelta(hours=1)
                )
                ResponsibilityFactory(activity=activity, district=person.district, due_date=soon.date())
                PollFactory(community=community, question=f"Poll {i}?")

    for community in places:
        MembershipFactory(user=person, community=community)
    add_calls(1)
    client.force_login(person)
    client.get(reverse("home"))
    with assert_num_queries_exact(11):
        page = client.get(reverse("home")).content.decode()
    assert page.count('aria-label="See what to do: ') == 2
    add_calls(6)
    client.get(reverse("home"))
    with assert_num_queries_exact(11):
        page = client.get(reverse("home")).content.decode()
    assert page.count('aria-label="See what to do: ') == 10  # CALL_LIMIT
