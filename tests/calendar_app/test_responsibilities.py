from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from calendar_app.models import Responsibility
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def soon():
    return (datetime.now(UTC) + timedelta(days=5)).replace(microsecond=0)


def test_district_member_sees_their_districts_responsibility(client, community, districts):
    activity = ActivityFactory(community=community, title="Site visit", start=soon())
    ResponsibilityFactory(activity=activity, district=districts[1], task="hosts the site visit")
    teacher = UserFactory(district=districts[1])
    MembershipFactory(user=teacher, community=community)
    client.force_login(teacher)
    for page in (f"/c/{community.slug}/calendar/", "/calendar/"):
        assert "hosts the site visit" in client.get(page).content.decode()


def test_other_districts_member_does_not_see_it_as_theirs(client, community, districts):
    activity = ActivityFactory(community=community, start=soon())
    ResponsibilityFactory(activity=activity, district=districts[1], task="hosts the site visit")
    teacher = UserFactory(district=districts[0])
    MembershipFactory(user=teacher, community=community)
    client.force_login(teacher)
    assert "hosts the site visit" not in client.get("/calendar/").content.decode()


def test_district_member_marks_it_done(client, community, districts):
    responsibility = ResponsibilityFactory(activity=ActivityFactory(community=community), district=districts[1])
    teacher = UserFactory(district=districts[1])
    MembershipFactory(user=teacher, community=community, district=districts[1], district_confirmed=True)
    client.force_login(teacher)
    response = client.post(
        f"/c/{community.slug}/calendar/responsibilities/{responsibility.pk}/status/", {"status": "done"}
    )
    assert response.status_code == 302
    responsibility.refresh_from_db()
    assert responsibility.is_done


def test_member_of_another_district_may_not_mark_it_done(client, community, districts):
    responsibility = ResponsibilityFactory(activity=ActivityFactory(community=community), district=districts[1])
    teacher = UserFactory(district=districts[0])
    MembershipFactory(user=teacher, community=community)
    client.force_login(teacher)
    response = client.post(
        f"/c/{community.slug}/calendar/responsibilities/{responsibility.pk}/status/", {"status": "done"}
    )
    assert response.status_code == 403
    responsibility.refresh_from_db()
    assert not responsibility.is_done


def test_leader_adds_a_responsibility_for_one_date_with_a_person(client, community, leader, districts):
    start = soon()
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=3")
    person = UserFactory(district=districts[1])
    MembershipFactory(user=person, community=community)
    client.force_login(leader)
    from calendar_app.models import occurrence_key

    response = client.post(
        f"/c/{community.slug}/calendar/{activity.pk}/responsibilities/",
        {"district": districts[1].pk, "task": "prepares the agenda", "assignee": person.pk,
         "occurrence": occurrence_key(start + timedelta(days=7))},
    )  # fmt: skip
    assert response.status_code == 302
    made = Responsibility.objects.get()
    assert (made.assignee, made.occurrence_start) == (person, start + timedelta(days=7))
    assert made.due_date == (start + timedelta(days=7)).date()


def test_responsibility_for_a_district_outside_the_community_is_refused(client, community, leader):
    from tests.factories import DistrictFactory

    activity = ActivityFactory(community=community)
    client.force_login(leader)
    response = client.post(
        f"/c/{community.slug}/calendar/{activity.pk}/responsibilities/",
        {"district": DistrictFactory(name="Elsewhere").pk, "task": "hosts"},
    )
    assert response.status_code == 400
    assert not Responsibility.objects.exists()


def test_plan_shows_who_does_what_by_month_without_a_gap_for_every_idle_district(client, community, leader, districts):
    _riverside, lakeview = districts
    activity = ActivityFactory(community=community, title="March meeting", start=datetime(2027, 3, 10, 17, tzinfo=UTC))
    ResponsibilityFactory(activity=activity, district=lakeview, task="hosts the meeting")
    client.force_login(leader)
    page = client.get(f"/c/{community.slug}/calendar/plan/?from=2027-01").content.decode()
    march = page[page.index("March 2027") : page.index("April 2027")]
    assert "Lakeview SD" in march
    assert "hosts the meeting" in march
    # No duty is expected of Riverside in March, nor of anyone in January: no gaps.
    assert "Gap" not in page


def test_plan_counts_a_series_responsibility_in_every_month(community, districts):
    from calendar_app.selectors import plan_by_month

    activity = ActivityFactory(
        community=community, start=datetime(2027, 1, 12, 22, tzinfo=UTC), recurrence="FREQ=MONTHLY;BYDAY=+2TU;COUNT=3"
    )
    ResponsibilityFactory(activity=activity, district=districts[0])
    plan = plan_by_month(community=community, first=date(2027, 1, 1), months=4)
    assert [bool(month.assignments) for month in plan] == [True, True, True, False]


def test_plan_is_for_leaders(client, community, member):
    client.force_login(member)
    assert client.get(f"/c/{community.slug}/calendar/plan/").status_code == 403


def test_plan_queries_do_not_grow(client, community, leader, districts, assert_num_queries_exact):
    client.force_login(leader)
    ResponsibilityFactory(activity=ActivityFactory(community=community, start=soon()), district=districts[0])
    with assert_num_queries_exact(9):
        client.get(f"/c/{community.slug}/calendar/plan/")
    for i in range(40):
        ResponsibilityFactory(
            activity=ActivityFactory(community=community, start=soon() + timedelta(days=i * 7)),
            district=districts[i % 2],
        )
    with assert_num_queries_exact(9):
        client.get(f"/c/{community.slug}/calendar/plan/")


def test_month_page_lists_the_duties_of_my_account_and_confirmed_districts_only(client, community, districts):
    """The month page knows the viewer's membership, so it asks for their districts' duties directly; it must
    list exactly what ``duties_of_q`` (the digest's and "my calendar"'s rule) gives."""
    from calendar_app.selectors import district_responsibilities
    from communities.models import Membership

    riverside, lakeview = districts
    elsewhere = DistrictFactory(name="Hillcrest USD")
    activity = ActivityFactory(community=community, start=soon())
    teacher = UserFactory(district=riverside)
    MembershipFactory(user=teacher, community=community, district=lakeview, district_confirmed=True)
    ResponsibilityFactory(activity=activity, district=riverside, task="brings the agenda for the account district")
    ResponsibilityFactory(activity=activity, district=lakeview, task="hosts for the confirmed district")
    ResponsibilityFactory(activity=activity, district=elsewhere, assignee=teacher, task="was asked by name")
    ResponsibilityFactory(activity=activity, district=elsewhere, task="is a job for someone else")
    ResponsibilityFactory(
        activity=ActivityFactory(start=soon()), district=riverside, task="belongs to another community"
    )
    client.force_login(teacher)
    page = client.get(f"/c/{community.slug}/calendar/").content.decode()
    for task in ("brings the agenda for the account district", "hosts for the confirmed district", "was asked by name"):
        assert task in page
    assert "is a job for someone else" not in page
    assert "belongs to another community" not in page
    window = {"community": community, "user": teacher, "start": soon().date(), "end": soon().date() + timedelta(days=9)}
    membership = Membership.objects.get(user=teacher, community=community)
    direct = list(district_responsibilities(**window, membership=membership))
    assert direct == list(district_responsibilities(**window))
    assert len(direct) == 3
    Membership.objects.filter(pk=membership.pk).update(district_confirmed=False)
    membership.refresh_from_db()
    unconfirmed = [r.task for r in district_responsibilities(**window, membership=membership)]
    assert unconfirmed == [r.task for r in district_responsibilities(**window)]
    assert "hosts for the confirmed district" not in unconfirmed


def test_the_month_pages_duties_are_district_responsibilities_with_what_it_shows(client, community, districts):
    """``member_duties`` (compiled once, duties built from the fields the month page shows) gives the duties
    ``district_responsibilities`` gives, with the same state, district, assignee and activity."""
    from calendar_app.selectors import district_responsibilities, member_duties
    from communities.models import Membership

    riverside, lakeview = districts
    teacher = UserFactory(district=riverside, display_name="Ana Rivera")
    MembershipFactory(user=teacher, community=community, district=lakeview, district_confirmed=True)
    activity = ActivityFactory(community=community, title="Site visit", start=soon())
    ResponsibilityFactory(activity=activity, district=riverside, task="brings the agenda", status="done")
    ResponsibilityFactory(activity=activity, district=lakeview, task="hosts", assignee=teacher)
    today = timezone.localdate()
    ResponsibilityFactory(activity=activity, district=lakeview, task="was due", due_date=today - timedelta(days=3))
    ResponsibilityFactory(activity=activity, district=DistrictFactory(), task="is not ours")
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    for confirmed in (True, False):
        Membership.objects.filter(user=teacher).update(district_confirmed=confirmed)
        membership = Membership.objects.get(user=teacher, community=community)
        window = {"community": community, "user": teacher, "start": start, "end": end}
        shown = member_duties(**window, membership=membership)
        expected = list(district_responsibilities(**window))

        def seen(duties):
            return [
                (d.pk, d.task, d.due_date, d.occurrence_start, d.state, d.is_done, d.district.name,
                 d.assignee.name if d.assignee else None, d.activity.title, d.activity.get_absolute_url())
                for d in duties
            ]  # fmt: skip

        assert seen(shown) == seen(expected)
        assert len(shown) == (3 if confirmed else 2)
