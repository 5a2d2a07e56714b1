from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import CharterGoal
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory
from tests.polls.factories import PollFactory, add_ballot
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.now(UTC).date()


def goal_data(**overrides):
    data = {
        "title": "30 approved lesson plans by June",
        "metric": "approved_resources",
        "target": "30",
        "starts_on": (TODAY - timedelta(days=30)).isoformat(),
        "due_on": (TODAY + timedelta(days=200)).isoformat(),
    }
    return {**data, **overrides}


def url(community):
    return f"/c/{community.slug}/manage/goals/"


def test_moderator_adds_a_goal_and_its_bar_shows_on_home_and_health(client, community, moderator):
    for _ in range(6):
        ResourceFactory(community=community)
    client.force_login(moderator)
    assert client.post(url(community), goal_data()).status_code == 302
    home = client.get(f"/c/{community.slug}/").content.decode()
    assert "30 approved lesson plans by June" in home
    assert 'aria-valuenow="20"' in home  # 6 of 30
    health = client.get(f"/c/{community.slug}/manage/health/").content.decode()
    assert 'aria-valuenow="20"' in health


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target": "0"}, "Set a target above 0."),
        ({"target": "-3"}, "Set a target above 0."),
        ({"target": "lots"}, "Enter the target as a number"),
        ({"metric": "happiness"}, "Pick one of the listed measures."),
        ({"title": ""}, "Say what the goal is."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"metric": "answered_within"}, "within how many days"),
        ({"metric": "pulse_average", "target": "7"}, "at most 5"),
        ({"due_on": "2020-01-01"}, "after the date counting starts"),
    ],
)
def test_bad_goals_are_refused_and_the_text_survives(client, community, moderator, overrides, message):
    client.force_login(moderator)
    response = client.post(url(community), goal_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if overrides.get("title") == "":
        assert 'value="30"' in body
    else:
        assert "30 approved lesson plans" in body or "x" * 50 in body
    assert not CharterGoal.objects.exists()


def test_at_most_three_goals(client, community, moderator):
    client.force_login(moderator)
    for n in range(3):
        assert client.post(url(community), goal_data(title=f"Goal {n}")).status_code == 302
    response = client.post(url(community), goal_data(title="Goal 4"))
    assert response.status_code == 400
    assert "Remove one to add another" in response.content.decode()
    assert CharterGoal.objects.count() == 3


def test_only_moderators_set_goals(client, community, member):
    leader = MembershipFactory(community=community, is_district_leader=True).user
    for user in (member, leader):
        client.force_login(user)
        assert client.post(url(community), goal_data()).status_code == 403
    client.logout()
    assert client.post(url(community), goal_data()).status_code == 302  # to log in
    assert not CharterGoal.objects.exists()


def test_removing_another_communitys_goal_is_a_404(client, community, moderator):
    other = CommunityFactory()
    goal = CharterGoal.objects.create(
        community=other, title="Theirs", metric="approved_resources", target=3, starts_on=TODAY, due_on=TODAY
    )
    client.force_login(moderator)
    assert client.post(f"/c/{community.slug}/manage/goals/{goal.pk}/remove/").status_code == 404
    assert CharterGoal.objects.filter(pk=goal.pk).exists()


def _goal(community, metric, target, **extra):
    return CharterGoal.objects.create(
        community=community,
        title=metric,
        metric=metric,
        target=target,
        starts_on=TODAY - timedelta(days=60),
        due_on=TODAY + timedelta(days=60),
        **extra,
    )


def test_each_metric_is_measured_from_the_communitys_data(community):
    from reports.goals import progress

    now = datetime.now(UTC)
    # Questions: 2 of 4 answered within 3 days (one answered after 5 days, one never).
    for wait in (1, 2, 5, None):
        thread = ThreadFactory(community=community, created_at=now - timedelta(days=20))
        if wait:
            PostFactory(thread=thread, created_at=thread.created_at + timedelta(days=wait))
    poll = PollFactory(community=community, kind="scale", opens_at=now - timedelta(days=10))
    choices = list(poll.choices.order_by("position"))
    for choice in (choices[4], choices[2]):  # 5 and 3
        add_ballot(poll, MembershipFactory(community=community).user, choice)
    riverside, lakeview, hillside, elsewhere = (DistrictFactory(name=n) for n in ("R", "L", "H", "E"))
    community.districts.add(riverside, lakeview, hillside)
    activity = ActivityFactory(community=community)
    for district in (riverside, lakeview, elsewhere):
        ResponsibilityFactory(activity=activity, district=district, due_date=TODAY)
    _goal(community, "answered_within", 100, days=3)
    _goal(community, "pulse_average", 4)
    _goal(community, "districts_hosting", 100)
    values = {g.goal.metric: (g.value, g.percent) for g in progress(community=community)}
    assert values["answered_within"] == (50.0, 50)
    assert values["pulse_average"] == (4.0, 100)
    assert values["districts_hosting"] == (66.7, 66)


def test_home_panel_query_count_does_not_grow_with_data(client, community, moderator):
    _goal(community, "approved_resources", 10)
    client.force_login(moderator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/c/{community.slug}/")
        return len(ctx)

    few = count()
    for _ in range(20):
        ResourceFactory(community=community)
    assert count() == few
