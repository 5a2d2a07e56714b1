from datetime import UTC, datetime, timedelta

import pytest

from calendar_app import services
from calendar_app.models import Attendance, occurrence_key
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(activity, suffix=""):
    return f"/c/{activity.community.slug}/calendar/{activity.pk}/{suffix}"


def _past(community, **kwargs):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    return ActivityFactory(community=community, start=start, end=start + timedelta(minutes=90), **kwargs)


def test_host_sees_going_pre_ticked_and_saves_who_came(client, community, member):
    host = MembershipFactory(community=community).user
    other = MembershipFactory(community=community).user
    activity = _past(community, organizer=host)
    RSVPFactory(activity=activity, user=member)
    client.force_login(host)
    page = client.get(url(activity, "attendance/")).content.decode()
    assert f'value="{member.pk}" id="id_attendees_' in page
    ticked = page.split(f'value="{member.pk}"')[1].split(">")[0]
    assert "checked" in ticked
    assert "checked" not in page.split(f'value="{other.pk}"')[1].split(">")[0]
    response = client.post(url(activity, "attendance/"), {"attendees": [member.pk, other.pk]})
    assert response.status_code == 302
    rows = Attendance.objects.order_by("user_id")
    assert {a.user_id for a in rows} == {member.pk, other.pk}
    assert {a.minutes for a in rows} == {90}
    assert rows[0].marked_by == host


def test_saving_again_unmarks_people_left_out_and_keeps_one_row_each(client, community, leader, member):
    activity = _past(community)
    other = MembershipFactory(community=community).user
    client.force_login(leader)
    client.post(url(activity, "attendance/"), {"attendees": [member.pk, other.pk]})
    client.post(url(activity, "attendance/"), {"attendees": [member.pk]})
    client.post(url(activity, "attendance/"), {"attendees": [member.pk]})
    assert list(Attendance.objects.values_list("user_id", flat=True)) == [member.pk]


def test_a_date_that_has_not_happened_is_refused_with_400(client, community, leader, member):
    activity = ActivityFactory(community=community)  # in three days
    client.force_login(leader)
    page = client.get(url(activity, "attendance/"))
    assert page.status_code == 400
    assert "has not happened yet" in page.content.decode()
    response = client.post(url(activity, "attendance/"), {"attendees": [member.pk]})
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_plain_member_may_not_mark_attendance(client, community, member):
    activity = _past(community)
    client.force_login(member)
    assert client.get(url(activity, "attendance/")).status_code == 403
    assert client.post(url(activity, "attendance/"), {"attendees": [member.pk]}).status_code == 403
    assert not Attendance.objects.exists()


def test_outsiders_and_other_communities_cannot_be_marked(client, community, leader):
    activity = _past(community)
    outsider = UserFactory()
    elsewhere = ActivityFactory(community=CommunityFactory(), start=activity.start, end=activity.end)
    client.force_login(leader)
    client.post(url(activity, "attendance/"), {"attendees": [outsider.pk]})
    assert client.post(url(activity, "attendance/"), {"attendees": [outsider.pk]}).status_code == 400
    assert client.get(f"/c/{community.slug}/calendar/{elsewhere.pk}/attendance/").status_code == 404
    assert not Attendance.objects.exists()


def test_anonymous_is_sent_to_log_in(client, community):
    activity = _past(community)
    response = client.get(url(activity, "attendance/"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_one_date_of_a_series_is_kept_per_date(client, community, leader, member):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=15)
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=4")
    client.force_login(leader)
    for week in (0, 1):
        key = occurrence_key(start + timedelta(days=7 * week))
        response = client.post(url(activity, "attendance/"), {"attendees": [member.pk], "occurrence": key})
        assert response.status_code == 302
    assert sorted(Attendance.objects.values_list("attended_on", flat=True)) == [start, start + timedelta(days=7)]
    future = occurrence_key(start + timedelta(days=21))
    refused = client.post(url(activity, "attendance/"), {"attendees": [member.pk], "occurrence": future})
    assert refused.status_code == 400
    assert client.get(url(activity, "attendance/") + "?occurrence=nonsense").status_code == 400


def test_member_checks_in_with_the_hosts_code_during_the_session(client, community, leader, member):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    activity = ActivityFactory(community=community, start=start, end=start + timedelta(hours=1), organizer=leader)
    client.force_login(leader)
    code = services.check_in_code(activity, None)
    assert code in client.get(url(activity)).content.decode()
    client.force_login(member)
    page = client.get(url(activity)).content.decode()
    assert code not in page
    assert "Check-in code" in page
    wrong = client.post(url(activity, "check-in/"), {"code": "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"})
    assert wrong.status_code == 400
    assert "does not match" in wrong.content.decode()
    assert client.post(url(activity, "check-in/"), {"code": code.lower()}).status_code == 302
    assert client.post(url(activity, "check-in/"), {"code": code}).status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.user, attendance.source, attendance.minutes) == (member, "check_in", 60)
    assert "You attended (checked in)" in client.get(url(activity)).content.decode()


def test_check_in_outside_the_session_is_refused(client, community, member):
    activity = ActivityFactory(community=community)  # in three days
    client.force_login(member)
    response = client.post(url(activity, "check-in/"), {"code": services.check_in_code(activity, None)})
    assert response.status_code == 400
    assert "only while the session runs" in response.content.decode()
    assert not Attendance.objects.exists()


def test_empty_code_is_refused(client, community, member):
    activity = _past(community)
    client.force_login(member)
    assert client.post(url(activity, "check-in/"), {"code": ""}).status_code == 400


def test_attendance_page_query_count_does_not_grow(client, community, leader):
    activity = _past(community)
    client.force_login(leader)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(activity, "attendance/")).status_code == 200
        return len(ctx)

    for _ in range(3):
        RSVPFactory(activity=activity, user=MembershipFactory(community=community).user)
    few = count()
    for _ in range(30):
        RSVPFactory(activity=activity, user=MembershipFactory(community=community).user)
    assert count() == few
