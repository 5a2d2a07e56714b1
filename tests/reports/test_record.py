import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from reports.models import Certificate
from tests.calendar_app.factories import ActivityFactory
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory
from tests.mentoring.factories import active_pairing, mentor
from tests.reports.factories import AttendanceFactory

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(microsecond=0)


def _session(community, user, *, days_ago, minutes, title="Session"):
    start = NOW - timedelta(days=days_ago)
    activity = ActivityFactory(community=community, title=title, start=start, end=start + timedelta(minutes=minutes))
    return AttendanceFactory(activity=activity, user=user)


def _period(days_back=30):
    return {"from": (NOW - timedelta(days=days_back)).date().isoformat(), "to": NOW.date().isoformat()}


def pdf_text(body):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


def test_my_record_lists_sessions_hours_and_contributions(client, community, member):
    _session(community, member, days_ago=3, minutes=90, title="Fractions chat")
    _session(community, member, days_ago=10, minutes=60, title="Site visit")
    _session(community, member, days_ago=400, minutes=60, title="Long ago")
    client.force_login(member)
    page = client.get("/me/record/", _period()).content.decode()
    assert "Fractions chat" in page
    assert "Site visit" in page
    assert "Long ago" not in page
    assert "<strong>2</strong> sessions attended · <strong>2.5</strong> hours" in page


def test_a_period_ending_before_it_starts_is_a_400_that_keeps_the_dates(client, member):
    client.force_login(member)
    response = client.get("/me/record/", {"from": "2026-05-01", "to": "2026-04-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "ends before it starts" in body
    assert 'value="2026-05-01"' in body
    assert 'value="2026-04-01"' in body
    assert client.get("/me/record/", {"from": "someday"}).status_code == 400


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/me/record/").status_code == 302


def test_certificate_pdf_names_community_sessions_and_hours_and_verifies(client, community, member):
    _session(community, member, days_ago=3, minutes=90, title="Fractions chat")
    _session(community, member, days_ago=10, minutes=45, title="Number talks")
    client.force_login(member)
    response = client.post("/me/record/certificate/", {"community": community.pk, **_period()}, follow=True)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert community.name in text
    assert "Fractions chat" in text
    assert "Number talks" in text
    assert "2.25 hours" in text
    certificate = Certificate.objects.get()
    assert f"/verify/{certificate.code}/" in text
    client.logout()
    page = client.get(f"/verify/{certificate.code}/")
    assert page.status_code == 200
    assert "Certificate verified" in page.content.decode()
    assert "2.25" in page.content.decode()


def test_a_tampered_or_unknown_code_does_not_verify(client, community, member):
    _session(community, member, days_ago=3, minutes=60)
    client.force_login(member)
    client.post("/me/record/certificate/", {"community": community.pk, **_period()})
    code = Certificate.objects.get().code
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    client.logout()
    for bad in (tampered, "nothing-here", "x" * 300):
        response = client.get(f"/verify/{bad}/")
        assert response.status_code == 404
        assert "No certificate has this code" in response.content.decode()


def test_certificate_codes_are_long_and_random(community, member):
    _session(community, member, days_ago=3, minutes=60)
    from reports.periods import period_from
    from reports.services import issue_certificate

    period = period_from(_period())
    codes = {issue_certificate(user=member, community=community, period=period).code for _ in range(3)}
    assert len(codes) == 3
    assert all(len(code) >= 20 for code in codes)


def test_no_certificate_for_a_community_you_are_not_in_or_without_sessions(client, community, member):
    other = CommunityFactory()
    client.force_login(member)
    assert client.post("/me/record/certificate/", {"community": other.pk, **_period()}).status_code == 400
    response = client.post("/me/record/certificate/", {"community": community.pk, **_period()})
    assert response.status_code == 400
    assert "attended no sessions" in response.content.decode()
    assert client.post("/me/record/certificate/", {"community": "abc", **_period()}).status_code == 400
    assert not Certificate.objects.exists()


def test_only_the_holder_downloads_the_pdf(client, community, member):
    _session(community, member, days_ago=3, minutes=60)
    client.force_login(member)
    client.post("/me/record/certificate/", {"community": community.pk, **_period()})
    code = Certificate.objects.get().code
    client.force_login(MembershipFactory(community=community).user)
    assert client.get(f"/me/record/certificates/{code}.pdf").status_code == 404


def test_record_privacy_member_district_leader_and_manager(client, community):
    riverside, lakeview = DistrictFactory(name="Riverside"), DistrictFactory(name="Lakeview")
    teacher = MembershipFactory(community=community, user=UserFactory(district=riverside)).user
    _session(community, teacher, days_ago=3, minutes=60, title="Fractions chat")
    url = f"/c/{community.slug}/manage/records/{teacher.username}/"
    own_leader = MembershipFactory(community=community, is_district_leader=True, user=UserFactory(district=riverside))
    other_leader = MembershipFactory(community=community, is_district_leader=True, user=UserFactory(district=lakeview))
    manager = MembershipFactory(community=community, is_moderator=True)
    peer = MembershipFactory(community=community, user=UserFactory(district=riverside))
    for membership, status in ((own_leader, 200), (manager, 200), (other_leader, 403), (peer, 403)):
        client.force_login(membership.user)
        response = client.get(url)
        assert response.status_code == status, membership
        assert ("Fractions chat" in response.content.decode()) is (status == 200)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_hours_csv_a_district_leader_gets_only_their_district(client, community):
    riverside, lakeview = DistrictFactory(name="Riverside"), DistrictFactory(name="Lakeview")
    near = MembershipFactory(community=community, user=UserFactory(district=riverside, display_name="Near One")).user
    far = MembershipFactory(community=community, user=UserFactory(district=lakeview, display_name="Far One")).user
    _session(community, near, days_ago=3, minutes=90)
    _session(community, near, days_ago=4, minutes=30)
    _session(community, far, days_ago=3, minutes=60)
    leader = MembershipFactory(community=community, is_district_leader=True, user=UserFactory(district=riverside))
    client.force_login(leader.user)
    body = client.get(f"/c/{community.slug}/manage/hours.csv", _period()).content.decode()
    assert "Near One" in body
    assert "Far One" not in body
    assert "Near One,user" in body
    assert ",Riverside,2,2.0" in body
    client.force_login(MembershipFactory(community=community, is_moderator=True).user)
    body = client.get(f"/c/{community.slug}/manage/hours.csv", _period()).content.decode()
    assert "Near One" in body
    assert "Far One" in body
    client.force_login(near)
    assert client.get(f"/c/{community.slug}/manage/hours.csv").status_code == 403


def test_hours_csv_escapes_formulas(client, community):
    for name in ("=HYPERLINK(1)", "+SUM(A1)", "-2+3", "@cmd", "Plain"):
        MembershipFactory(community=community, user=UserFactory(display_name=name))
    client.force_login(MembershipFactory(community=community, is_moderator=True).user)
    body = client.get(f"/c/{community.slug}/manage/hours.csv").content.decode()
    for name in ("=HYPERLINK(1)", "+SUM(A1)", "-2+3", "@cmd"):
        assert f"\n'{name}," in body.replace("\r", "")
    assert "\nPlain," in body.replace("\r", "")


def test_record_query_count_does_not_grow(client, community, member):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/record/").status_code == 200
        return len(ctx)

    client.force_login(member)
    _session(community, member, days_ago=1, minutes=30)
    count()  # warm: the first request of a session fills caches later ones reuse
    few = count()
    for n in range(20):
        _session(community, member, days_ago=2 + n % 20, minutes=30)
        _session(CommunityFactory(), member, days_ago=2, minutes=30)
        MembershipFactory(community=CommunityFactory(), user=member)
    count()  # warm again: joining communities makes the bell count its unread notifications afresh
    assert count() == few


def test_mentoring_check_ins_count_in_the_record_of_both_people(client, community, member):
    mentor_user = MembershipFactory(community=community).user
    pairing = active_pairing(mentor(community, user=mentor_user), member, started_at=NOW - timedelta(days=20))
    pairing.check_ins.update(done_at=NOW - timedelta(days=5), done_by=member, minutes=45)
    elsewhere = CommunityFactory()
    MembershipFactory(community=elsewhere, user=member)
    for person in (member, mentor_user):
        client.force_login(person)
        page = client.get("/me/record/", _period()).content.decode()
        assert "<strong>0.75</strong> hours of mentoring check-ins" in page
        assert page.count("hours of mentoring check-ins") == 1  # in this community only, not in ``elsewhere``
