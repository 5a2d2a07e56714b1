import pytest

from calendar_app.models import Activity, Responsibility
from tests.factories import DistrictFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {
        "title": "Monthly chat",
        "kind": "chat",
        "description": "We talk about **unplugged** lessons.",
        "time_zone": "America/Chicago",
        "start": "2026-01-13T16:00",
        "end": "2026-01-13T17:00",
        "meeting_url": "https://meet.example.org/cop",
        "repeats": "monthly_weekday",
        "repeat_count": "12",
    }
    data.update(overrides)
    return data


def new_url(community):
    return f"/c/{community.slug}/calendar/new/"


def test_district_leader_schedules_a_monthly_chat_with_a_responsibility(client, community, leader, districts):
    client.force_login(leader)
    response = client.post(
        new_url(community), form(responsible_district=districts[1].pk, responsibility_task="prepares the agenda")
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert activity.recurrence == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=12"
    assert activity.organizer == leader
    assert "<strong>unplugged</strong>" in activity.description_html
    assert activity.start.isoformat() == "2026-01-13T22:00:00+00:00"
    responsibility = Responsibility.objects.get()
    assert (responsibility.district, responsibility.task) == (districts[1], "prepares the agenda")


def test_description_is_sanitized(client, community, leader):
    client.force_login(leader)
    client.post(new_url(community), form(description="<script>alert(1)</script>[x](javascript:alert(1))"))
    html = Activity.objects.get().description_html
    assert "<script" not in html
    assert 'href="javascript' not in html


def test_end_before_start_is_refused_and_nothing_is_stored(client, community, leader):
    client.force_login(leader)
    response = client.post(new_url(community), form(end="2026-01-13T15:00"))
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not Activity.objects.exists()


def test_invalid_recurrence_is_refused_and_nothing_is_stored(client, community, leader):
    client.force_login(leader)
    response = client.post(new_url(community), form(repeats="custom", custom_rule="FREQ=SOMETIMES;BYDAY=XX"))
    assert response.status_code == 400
    assert "not one we understand" in response.content.decode()
    assert not Activity.objects.exists()


def test_responsibility_for_a_district_outside_the_community_is_refused(client, community, leader):
    client.force_login(leader)
    stranger = DistrictFactory(name="Faraway USD")
    response = client.post(new_url(community), form(responsible_district=stranger.pk, responsibility_task="hosts"))
    assert response.status_code == 400
    assert not Activity.objects.exists()
    assert not Responsibility.objects.exists()


def test_garbage_start_is_a_clear_400(client, community, leader):
    client.force_login(leader)
    response = client.post(new_url(community), form(start="next tuesday", end="99999-99-99"))
    assert response.status_code == 400
    assert "Enter a date and time" in response.content.decode()


def test_plain_member_may_not_schedule(client, community, member):
    client.force_login(member)
    response = client.post(new_url(community), form())
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_editing_raises_the_sequence(client, community, leader):
    client.force_login(leader)
    client.post(new_url(community), form(repeats="", repeat_count=""))
    activity = Activity.objects.get()
    response = client.post(f"/c/{community.slug}/calendar/{activity.pk}/edit/", form(repeats="", title="Renamed"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == ("Renamed", 1)


def test_edit_form_shows_the_times_in_the_activity_zone(client, community, leader):
    client.force_login(leader)
    client.post(new_url(community), form())
    activity = Activity.objects.get()
    page = client.get(f"/c/{community.slug}/calendar/{activity.pk}/edit/").content.decode()
    assert 'value="2026-01-13T16:00"' in page


def test_another_communitys_activity_is_404(client, community, leader, other_community):
    from tests.calendar_app.factories import ActivityFactory

    theirs = ActivityFactory(community=other_community)
    client.force_login(leader)
    assert client.get(f"/c/{community.slug}/calendar/{theirs.pk}/").status_code == 404
    assert client.post(f"/c/{community.slug}/calendar/{theirs.pk}/edit/", form()).status_code == 404
    MembershipFactory(user=leader, community=other_community)
    assert Activity.objects.get(pk=theirs.pk).title == theirs.title
