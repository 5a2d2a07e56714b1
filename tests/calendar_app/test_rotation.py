"""Rotating a duty through districts over the dates of a series (issue 18, item 1)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from calendar_app import services
from calendar_app.models import Responsibility, Rotation, occurrence_key
from calendar_app.selectors import plan_by_month
from tests.calendar_app.conftest import chicago
from tests.calendar_app.factories import ActivityFactory
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = datetime.now(UTC).year + 1


@pytest.fixture
def four(community, districts):
    more = DistrictFactory(name="Hillcrest ISD"), DistrictFactory(name="Bayside CSD")
    community.districts.add(*more)
    return [*districts, *more]


def monthly(community, count=10, **extra):
    # Second Tuesday 4pm in Chicago, from January of next year: crosses the March and November DST changes.
    start = _second_tuesday()
    fields = {
        "title": "Monthly webinar",
        "start": start,
        "end": start + timedelta(hours=1),
        "time_zone": "America/Chicago",
        "recurrence": f"FREQ=MONTHLY;BYDAY=+2TU;COUNT={count}",
        **extra,
    }
    return ActivityFactory(community=community, **fields)


def _second_tuesday():
    first = date(NEXT_YEAR, 1, 1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    return chicago(tuesday.year, tuesday.month, tuesday.day, 16).astimezone(UTC)


def duties(activity):
    return list(
        Responsibility.objects.filter(activity=activity).select_related("district").order_by("occurrence_start")
    )


def test_rotation_gives_each_date_the_next_district_with_its_due_date(leader_access, community, four):
    activity = monthly(community)
    services.create_rotation(
        access=leader_access, activity=activity, task="prepares the agenda", districts=four, days_before=7
    )
    planned = duties(activity)
    assert len(planned) == 10
    assert [d.district for d in planned] == [four[i % 4] for i in range(10)]
    starts = services.series_dates(activity)
    assert [d.occurrence_start for d in planned] == starts
    for duty in planned:
        local = duty.occurrence_start.astimezone(activity.zone)
        # 4pm on wall-clock time on every date, before and after daylight saving changes.
        assert (local.hour, local.weekday()) == (16, 1)
        assert duty.due_date == local.date() - timedelta(days=7)
        assert duty.task == "prepares the agenda"


def test_rotation_across_daylight_saving_keeps_local_dates(leader_access, community, four):
    # 11pm in Chicago is the next day in UTC: due dates follow the local date, in CST and in CDT.
    start = chicago(NEXT_YEAR, 2, 27, 23)
    activity = ActivityFactory(
        community=community,
        start=start.astimezone(UTC),
        end=(start + timedelta(hours=1)).astimezone(UTC),
        time_zone="America/Chicago",
        recurrence="FREQ=WEEKLY;BYDAY=" + ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][start.weekday()] + ";COUNT=4",
    )
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four[:2], days_before=0)
    planned = duties(activity)
    assert [d.due_date for d in planned] == [(start + timedelta(days=7 * i)).date() for i in range(4)]
    offsets = {d.occurrence_start.astimezone(activity.zone).utcoffset() for d in planned}
    assert offsets == {timedelta(hours=-6), timedelta(hours=-5)}


def test_cancelling_a_date_cancels_its_duty_and_restoring_brings_it_back(leader_access, community, four):
    activity = monthly(community)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    third = services.series_dates(activity)[2]
    services.cancel_occurrence(access=leader_access, activity=activity, original_start=third)
    planned = duties(activity)
    assert len(planned) == 9
    assert third not in [d.occurrence_start for d in planned]
    # The other dates keep their districts: the rotation does not shift.
    assert [d.district for d in planned] == [four[i % 4] for i in range(10) if i != 2]
    services.restore_occurrence(access=leader_access, activity=activity, original_start=third)
    assert [d.district for d in duties(activity)] == [four[i % 4] for i in range(10)]


def test_moving_a_date_moves_its_due_date(leader_access, community, four):
    activity = monthly(community)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four, days_before=3)
    second = services.series_dates(activity)[1]
    services.move_occurrence(
        access=leader_access, activity=activity, original_start=second, new_start=second + timedelta(days=2)
    )
    moved = Responsibility.objects.get(activity=activity, occurrence_start=second)
    assert moved.due_date == (second + timedelta(days=2)).astimezone(activity.zone).date() - timedelta(days=3)
    assert moved.district == four[1]


def test_extending_the_series_plans_the_new_dates(leader_access, community, four):
    activity = monthly(community, count=4)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four[:3])
    first_duty = duties(activity)[0]
    services.cancel_occurrence(
        access=leader_access, activity=activity, original_start=services.series_dates(activity)[1]
    )
    activity = services.update_activity(
        access=leader_access, activity=activity, recurrence="FREQ=MONTHLY;BYDAY=+2TU;COUNT=8"
    )
    planned = duties(activity)
    assert [d.district for d in planned] == [four[i % 3] for i in range(8) if i != 1]
    assert planned[0].pk == first_duty.pk  # dates already planned are the same rows
    # The cancellation of a date the series still has survives the extension.
    assert activity.exceptions.filter(cancelled=True).count() == 1


def test_shortening_the_series_drops_the_duties_of_dates_it_no_longer_has(leader_access, community, four):
    activity = monthly(community, count=6)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    services.update_activity(access=leader_access, activity=activity, recurrence="FREQ=MONTHLY;BYDAY=+2TU;COUNT=3")
    assert len(duties(activity)) == 3


def test_changing_the_rotation_replans_only_dates_to_come(leader_access, community, four):
    # A weekly series that began three weeks ago: three dates are past.
    start = (datetime.now(UTC) - timedelta(days=21, hours=1)).replace(microsecond=0)
    activity = ActivityFactory(
        community=community,
        start=start,
        end=start + timedelta(hours=1),
        recurrence="FREQ=WEEKLY;COUNT=8",
    )
    rotation = services.create_rotation(
        access=leader_access, activity=activity, task="hosts", districts=four, days_before=1
    )
    before = duties(activity)
    Responsibility.objects.filter(pk=before[4].pk).update(status=Responsibility.Status.DONE)
    services.update_rotation(
        access=leader_access, rotation=rotation, task="runs the chat", districts=[four[3], four[2]], days_before=2
    )
    after = duties(activity)
    past, future = after[:4], after[4:]
    assert [(d.district, d.task, d.due_date) for d in past] == [(d.district, d.task, d.due_date) for d in before[:4]]
    # The done one keeps its district; the others follow the new order from the first date to come.
    assert future[0].district == before[4].district
    assert future[0].is_done
    assert [d.district for d in future[1:]] == [four[2], four[3], four[2]]
    assert {d.task for d in future[1:]} == {"runs the chat"}
    assert all(d.due_date == d.occurrence_start.date() - timedelta(days=2) for d in future[1:])


def test_rotation_with_no_districts_is_refused(leader_access, community, four):
    with pytest.raises(ValidationError) as error:
        services.create_rotation(access=leader_access, activity=monthly(community), task="hosts", districts=[])
    assert "at least one district" in str(error.value)
    assert not Rotation.objects.exists()


def test_rotation_with_another_communitys_district_is_refused(leader_access, community, four):
    elsewhere = DistrictFactory(name="Elsewhere USD")
    with pytest.raises(ValidationError) as error:
        services.create_rotation(
            access=leader_access, activity=monthly(community), task="hosts", districts=[four[0], elsewhere]
        )
    assert "only districts of this community" in str(error.value)
    assert not Responsibility.objects.exists()


def test_rotation_on_a_one_off_activity_is_refused(leader_access, community, four):
    with pytest.raises(ValidationError):
        services.create_rotation(
            access=leader_access, activity=ActivityFactory(community=community), task="hosts", districts=four
        )


def test_rotation_is_for_schedulers(client, community, member, four):
    activity = monthly(community)
    client.force_login(member)
    response = client.post(
        f"/c/{community.slug}/calendar/{activity.pk}/rotations/",
        {"task": "hosts", "days_before": 7, "turn_1": four[0].pk},
    )
    assert response.status_code == 403
    assert not Rotation.objects.exists()


def test_leader_rotates_a_duty_from_the_activity_page(client, community, leader, four):
    activity = monthly(community)
    client.force_login(leader)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Rotate a duty through districts" in page
    data = {"task": "hosts", "days_before": 7}
    data.update({f"turn_{i + 1}": d.pk for i, d in enumerate(sorted(four, key=lambda d: d.name))})
    response = client.post(f"/c/{community.slug}/calendar/{activity.pk}/rotations/", data)
    assert response.status_code == 302
    assert len(duties(activity)) == 10


def test_rotation_form_without_districts_keeps_the_task(client, community, leader, four):
    activity = monthly(community)
    client.force_login(leader)
    data = {"task": "prepares the agenda", "days_before": 7, **{f"turn_{i + 1}": "" for i in range(4)}}
    response = client.post(f"/c/{community.slug}/calendar/{activity.pk}/rotations/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Pick at least one district" in page
    assert 'value="prepares the agenda"' in page


def test_rotation_from_the_scheduling_form(client, community, leader, four):
    client.force_login(leader)
    response = client.post(
        f"/c/{community.slug}/calendar/new/",
        {
            "title": "Monthly chat",
            "kind": "chat",
            "time_zone": "America/Chicago",
            "start": f"{NEXT_YEAR}-01-29T16:00",
            "end": f"{NEXT_YEAR}-01-29T17:00",
            "repeats": "monthly_last_weekday",
            "repeat_count": 10,
            "rotation_task": "hosts",
            "rotation_days_before": 5,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rotation = Rotation.objects.get()
    assert rotation.activity.recurrence.startswith("FREQ=MONTHLY;BYDAY=-1")
    assert rotation.responsibilities.count() == 10
    assert [t.district.name for t in rotation.turns.order_by("position")] == sorted(d.name for d in four)


def test_leader_fills_a_gap_and_changes_a_cell_in_place(client, community, leader, leader_access, four):
    activity = monthly(community)
    rotation = services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    gone = duties(activity)[1]
    services.delete_responsibility(access=leader_access, responsibility=gone)
    client.force_login(leader)
    plan_url = f"/c/{community.slug}/calendar/plan/?from={NEXT_YEAR}-01"
    page = client.get(plan_url).content.decode()
    assert page.count("Gap: no district yet") == 1
    # htmx: the cell comes back with the choice saved.
    response = client.post(
        f"/c/{community.slug}/calendar/plan/cell/",
        {"rotation": rotation.pk, "occurrence": occurrence_key(gone.occurrence_start), "district": four[3].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    assert Responsibility.objects.get(rotation=rotation, occurrence_start=gone.occurrence_start).district == four[3]
    assert "Gap: no district yet" not in client.get(plan_url).content.decode()
    # Without JavaScript: the form posts and the plan comes back.
    first = duties(activity)[0]
    response = client.post(
        f"/c/{community.slug}/calendar/plan/cell/",
        {"rotation": rotation.pk, "occurrence": occurrence_key(first.occurrence_start), "district": four[2].pk},
    )
    assert response.status_code == 302
    assert "/calendar/plan/" in response["Location"]
    first.refresh_from_db()
    assert first.district == four[2]


def test_plan_cell_refuses_another_communitys_district_and_rotation(client, community, leader, leader_access, four):
    from tests.factories import CommunityFactory

    activity = monthly(community)
    rotation = services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    key = occurrence_key(duties(activity)[0].occurrence_start)
    client.force_login(leader)
    url = f"/c/{community.slug}/calendar/plan/cell/"
    elsewhere = DistrictFactory(name="Elsewhere USD")
    response = client.post(url, {"rotation": rotation.pk, "occurrence": key, "district": elsewhere.pk})
    assert response.status_code == 400
    assert "Pick one of this community" in response.content.decode()
    other = monthly(CommunityFactory())
    other_rotation = Rotation.objects.create(activity=other, task="x", anchor=other.start)
    response = client.post(url, {"rotation": other_rotation.pk, "occurrence": key, "district": four[0].pk})
    assert response.status_code == 404
    response = client.post(url, {"rotation": rotation.pk, "occurrence": "nonsense", "district": four[0].pk})
    assert response.status_code == 400


def test_plan_shows_gaps_only_where_a_duty_is_expected(community, leader_access, four):
    activity = monthly(community, count=3)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    plan = plan_by_month(community=community, first=date(NEXT_YEAR, 1, 1), months=4)
    assert [len(month.rows) for month in plan] == [1, 1, 1, 0]
    assert not any(month.gaps for month in plan)


def test_copy_this_years_plan_to_next_year(client, community, leader, leader_access, four):
    activity = monthly(community, count=10)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four, days_before=7)
    client.force_login(leader)
    for _ in range(2):  # twice: the second copy finds the first and makes none
        response = client.post(f"/c/{community.slug}/calendar/plan/copy/", {"from": f"{NEXT_YEAR}-01"})
        assert response.status_code == 302
    copy = community.activities.exclude(pk=activity.pk).get()
    local = copy.start.astimezone(copy.zone)
    assert (local.year, local.month, local.hour, local.weekday()) == (NEXT_YEAR + 1, 1, 16, 1)
    assert 8 <= local.day <= 14
    assert copy.rotations.get().responsibilities.count() == 10


def test_editable_plan_queries_are_fixed_with_12_months_and_30_districts(
    client, community, leader, leader_access, django_assert_num_queries
):
    districts = [DistrictFactory(name=f"District {i:02}") for i in range(30)]
    community.districts.add(*districts)
    client.force_login(leader)
    url = f"/c/{community.slug}/calendar/plan/?from={NEXT_YEAR}-01"
    small = monthly(community, count=1)
    services.create_rotation(access=leader_access, activity=small, task="hosts", districts=districts[:1])
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
    # 30 monthly series over the 12 months, each rotating through the 30 districts: 360 cells of 30 choices.
    for i in range(30):
        series = monthly(community, count=12, title=f"Series {i}")
        services.create_rotation(access=leader_access, activity=series, task="hosts", districts=districts)
    with django_assert_num_queries(10):
        page = client.get(url).content.decode()
    assert page.count('name="district"') == 361
