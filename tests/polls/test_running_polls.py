"""Leaders create, edit, close and repeat polls."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Poll
from tests.factories import FocusAreaFactory
from tests.polls.factories import PollFactory, add_ballot, page_text

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def form_data(**overrides):
    now = timezone.now()
    data = {
        "question": "How confident do you feel teaching loops?",
        "description": "",
        "kind": "single",
        "choices": "Very\nSomewhat\nNot yet",
        "max_choices": "",
        "focus_area": "",
        "opens_at": now.strftime(FMT),
        "closes_at": (now + timedelta(days=7)).strftime(FMT),
        "results_visibility": "after_vote",
    }
    data.update(overrides)
    return data


def new_url(community):
    return reverse("polls:new", kwargs={"slug": community.slug})


def test_moderator_creates_a_poll_with_its_choices(client, moderator, community):
    client.force_login(moderator)
    response = client.post(new_url(community), form_data())
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert response["Location"] == poll.get_absolute_url()
    assert [c.label for c in poll.choices.all()] == ["Very", "Somewhat", "Not yet"]
    assert poll.created_by == moderator
    assert poll.is_open


def test_district_leader_may_create_a_poll(client, leader, community):
    client.force_login(leader)
    assert client.post(new_url(community), form_data()).status_code == 302
    assert Poll.objects.count() == 1


def test_member_may_not_create_a_poll(client, member, community):
    client.force_login(member)
    assert client.post(new_url(community), form_data()).status_code == 403
    assert not Poll.objects.exists()


def test_scale_poll_gets_five_labelled_points(client, moderator, community):
    client.force_login(moderator)
    client.post(new_url(community), form_data(kind="scale", choices=""))
    labels = [c.label for c in Poll.objects.get().choices.all()]
    assert labels[0] == "1 · Strongly disagree"
    assert labels[4] == "5 · Strongly agree"


def test_empty_question_is_refused(client, moderator, community):
    client.force_login(moderator)
    response = client.post(new_url(community), form_data(question="  "))
    assert response.status_code == 400
    assert "Write the question members will answer." in response.content.decode()
    assert not Poll.objects.exists()


def test_fewer_than_two_choices_is_refused(client, moderator, community):
    client.force_login(moderator)
    response = client.post(new_url(community), form_data(choices="Only one\n\n"))
    assert response.status_code == 400
    assert "Give at least two choices" in response.content.decode()
    assert not Poll.objects.exists()


def test_a_limit_above_the_number_of_choices_is_refused(client, moderator, community):
    client.force_login(moderator)
    response = client.post(new_url(community), form_data(kind="multiple", max_choices="5"))
    assert response.status_code == 400
    assert "There are only 3 choices" in response.content.decode()


def test_closing_before_opening_is_refused(client, moderator, community):
    client.force_login(moderator)
    now = timezone.now()
    response = client.post(new_url(community), form_data(closes_at=(now - timedelta(days=1)).strftime(FMT)))
    assert response.status_code == 400
    assert "must close after it opens" in response.content.decode()


def test_focus_area_of_another_community_is_refused(client, moderator, community):
    client.force_login(moderator)
    response = client.post(new_url(community), form_data(focus_area=FocusAreaFactory().pk))
    assert response.status_code == 400
    assert not Poll.objects.exists()


def test_scheduled_poll_is_listed_for_leaders_and_hidden_from_members(client, moderator, member, community):
    poll = PollFactory(community=community, question="Future pulse", opens_at=timezone.now() + timedelta(days=3))
    poll.closes_at = None
    poll.save()
    list_url = reverse("polls:list", kwargs={"slug": community.slug}) + "?status=scheduled"
    client.force_login(moderator)
    assert "Future pulse" in client.get(list_url).content.decode()
    client.force_login(member)
    assert "Future pulse" not in client.get(list_url).content.decode()
    assert client.get(poll.get_absolute_url()).status_code == 404


def test_moderator_closes_a_poll_and_members_can_no_longer_vote(client, moderator, member, poll):
    client.force_login(moderator)
    url = reverse("polls:close", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    assert client.post(url).status_code == 302
    poll.refresh_from_db()
    assert poll.is_closed
    client.force_login(member)
    vote_url = reverse("polls:vote", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    assert client.post(vote_url, {"choice": poll.choices.first().pk}).status_code == 400


def test_edit_changes_the_question(client, moderator, poll):
    client.force_login(moderator)
    url = reverse("polls:edit", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    response = client.post(url, form_data(question="A clearer question?", choices="Yes\nNo\nNot sure"))
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.question == "A clearer question?"


def test_edit_keeps_choices_once_members_have_answered(client, moderator, member, poll):
    add_ballot(poll, member, poll.choices.first())
    client.force_login(moderator)
    url = reverse("polls:edit", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    response = client.post(url, form_data(question="Reworded", kind="text", choices="X\nY", is_anonymous="on"))
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.question == "Reworded"
    assert (poll.kind, poll.is_anonymous) == ("single", False)
    assert [c.label for c in poll.choices.all()] == ["Yes", "No", "Not sure"]


def test_repeat_starts_the_next_round_with_the_same_choices(client, moderator, poll):
    client.force_login(moderator)
    url = reverse("polls:repeat", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    assert client.get(url).status_code == 200
    now = timezone.now()
    response = client.post(url, {"opens_at": now.strftime(FMT), "closes_at": (now + timedelta(days=7)).strftime(FMT)})
    assert response.status_code == 302
    new = Poll.objects.exclude(pk=poll.pk).get()
    poll.refresh_from_db()
    assert new.series_id == poll.series_id is not None
    assert (poll.round, new.round) == (1, 2)
    assert [c.label for c in new.choices.all()] == ["Yes", "No", "Not sure"]
    client.post(url, {"opens_at": now.strftime(FMT), "closes_at": ""})
    assert Poll.objects.get(series=poll.series, round=3)


def test_pulse_page_charts_rounds_with_a_table(client, moderator, member, community):
    first = PollFactory(community=community, question="Pulse?", opens_at=timezone.now() - timedelta(days=60))
    first.closes_at = timezone.now() - timedelta(days=50)
    first.save()
    add_ballot(first, member, first.choices.get(label="No"))
    from communities.permissions import access_for
    from polls.services import repeat_poll

    second = repeat_poll(access=access_for(moderator, community), poll=first)
    add_ballot(second, member, second.choices.get(label="Yes"))
    client.force_login(moderator)
    response = client.get(second.get_absolute_url())
    html = response.content.decode()
    assert "<svg" in html
    assert "<polyline" in html
    text = page_text(response)
    assert "How answers moved, round by round" in text
    assert "Yes 0.0% 100.0%" in text
    assert "No 100.0% 0.0%" in text
    assert "Voters 1 1" in text
