"""Issue 17, item 4: a responsibility is open, due soon, overdue or done, everywhere, as the clock moves;
the district is reminded before the due date and once after it passes; leaders see an Overdue list."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calendar_app.duty_reminders import send_duty_reminders
from calendar_app.models import DutyState, Responsibility, ResponsibilityReminder, duty_state
from calendar_app.selectors import OverdueGroup, duties_needing, overdue_for_leader
from calendar_app.tasks import send_duty_reminders as send_duty_reminders_task
from digests.selectors import calls_to_action
from notifications import kinds
from notifications.models import Notification
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DUE = date(2027, 2, 11)


def at(day, hour=12):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def member_of(community, district, **user_fields):
    """A member whose district in ``community`` is confirmed (no district on the account)."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, community=community, district=district, district_confirmed=True)
    return user


@pytest.fixture
def planning(community, districts):
    return ActivityFactory(community=community, title="February planning meeting", start=at(DUE + timedelta(days=2)))


@pytest.fixture
def duty(planning, districts):
    return ResponsibilityFactory(activity=planning, district=districts[0], task="prepares the agenda", due_date=DUE)


# -- the state, as the clock moves ----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - timedelta(days=30), DutyState.OPEN),
        (DUE - timedelta(days=8), DutyState.OPEN),
        (DUE - timedelta(days=7), DutyState.DUE_SOON),
        (DUE, DutyState.DUE_SOON),
        (DUE + timedelta(days=1), DutyState.OVERDUE),
        (DUE + timedelta(days=400), DutyState.OVERDUE),
    ],
)
def test_the_state_moves_from_open_to_due_soon_to_overdue_with_the_day(duty, today, expected):
    assert duty_state(status=duty.status, due_date=duty.due_date, today=today) == expected
    # The queryset annotation says the same for the same day.
    assert Responsibility.objects.with_state(today).get(pk=duty.pk).state == expected


def test_python_and_sql_agree_on_every_day_around_the_due_date(duty, settings):
    settings.RESPONSIBILITY_DUE_SOON_DAYS = 3
    for offset in range(-10, 10):
        today = DUE + timedelta(days=offset)
        in_sql = Responsibility.objects.with_state(today).get(pk=duty.pk).state
        assert in_sql == duty_state(status="open", due_date=DUE, today=today), today


def test_done_is_done_whatever_the_day(duty):
    duty.status = Responsibility.Status.DONE
    duty.save()
    for today in (DUE - timedelta(days=30), DUE + timedelta(days=30)):
        assert Responsibility.objects.with_state(today).get(pk=duty.pk).state == DutyState.DONE


def test_due_soon_follows_the_setting(duty, settings):
    settings.RESPONSIBILITY_DUE_SOON_DAYS = 2
    assert Responsibility.objects.with_state(DUE - timedelta(days=3)).get(pk=duty.pk).state == DutyState.OPEN
    assert Responsibility.objects.with_state(DUE - timedelta(days=2)).get(pk=duty.pk).state == DutyState.DUE_SOON


def test_without_an_annotation_the_state_is_todays_in_the_viewers_zone(community, districts):
    # Due "today" in UTC; in Tokyo it is already tomorrow at 20:00 UTC, so the date has passed there.
    activity = ActivityFactory(community=community)
    now = timezone.now()
    duty = ResponsibilityFactory(activity=activity, district=districts[0], due_date=now.date())
    with timezone.override("UTC"):
        assert duty.state == DutyState.DUE_SOON
    with timezone.override("Pacific/Kiritimati"):  # UTC+14: always a day ahead or the same day
        local = timezone.localdate()
        expected = DutyState.OVERDUE if local > now.date() else DutyState.DUE_SOON
        assert duty.state == expected


# -- What needs me and the digest --------------------------------------------------------


def test_an_overdue_duty_leads_what_needs_me_for_the_districts_members_and_leader(community, districts, duty, leader):
    teacher = member_of(community, districts[0])
    ResponsibilityFactory(
        activity=duty.activity, district=districts[0], task="books the room", due_date=DUE + timedelta(days=60)
    )
    duty.due_date = timezone.localdate() - timedelta(days=3)
    duty.save()
    for person in (teacher, leader):
        calls = calls_to_action(user=person)
        assert [item.title for item in calls.overdue] == [
            "Riverside USD prepares the agenda for February planning meeting"
        ]
        assert calls.responsibilities[0].is_overdue
        assert calls.overdue[0].state_label == "Overdue"


def test_an_overdue_duty_stays_however_old_until_it_is_done(community, districts, duty):
    teacher = member_of(community, districts[0])
    duty.due_date = timezone.localdate() - timedelta(days=200)
    duty.save()
    assert [d.pk for d in duties_needing(user=teacher, until=timezone.localdate())] == [duty.pk]
    duty.status = Responsibility.Status.DONE
    duty.save()
    assert list(duties_needing(user=teacher, until=timezone.localdate())) == []


def test_another_district_and_a_former_member_are_not_asked(community, districts, duty):
    other = member_of(community, districts[1])
    former = member_of(community, districts[0])
    former.memberships.all().delete()
    duty.due_date = timezone.localdate() - timedelta(days=1)
    duty.save()
    assert calls_to_action(user=other).responsibilities == []
    assert calls_to_action(user=former).responsibilities == []


def test_the_home_page_shows_overdue_first_with_a_badge_in_words(client, community, districts, duty, leader):
    duty.due_date = timezone.localdate() - timedelta(days=2)
    duty.save()
    leader.date_joined -= timedelta(days=90)
    leader.save()
    client.force_login(leader)
    page = client.get("/").content.decode()
    section = page[page.index('id="what-needs-me"') :]
    assert section.index("Overdue") < section.index("Riverside USD prepares the agenda for February planning meeting")
    assert '<span class="badge me-1 text-bg-danger">Overdue</span>' in section
    assert "Dates and times in your time zone, America/Chicago." in section


def test_the_digest_leads_with_overdue(community, districts, duty, leader):
    from digests.emails import render_digest
    from digests.periods import parse_period
    from digests.selectors import digest_for

    duty.due_date = timezone.localdate() - timedelta(days=2)
    duty.save()
    next_month = (timezone.now() + timedelta(days=31)).strftime("%Y-%m")
    digest = digest_for(user=leader, period=parse_period(next_month))
    _subject, text, html = render_digest(digest)
    assert "Overdue:\n- OVERDUE: Riverside USD prepares the agenda for February planning meeting" in text
    assert text.index("OVERDUE") < text.index("WHAT NEEDS YOU") + 40
    assert ">Overdue</h3>" in html


# -- badges on the activity page, the plan and My calendar ------------------------------------


def test_the_activity_page_plan_and_my_calendar_mark_an_overdue_duty(client, community, districts, duty, leader):
    duty.due_date = timezone.localdate() - timedelta(days=2)
    duty.save()
    client.force_login(leader)
    badge = '<span class="badge text-bg-danger">Overdue</span>'
    assert badge in client.get(duty.activity.get_absolute_url()).content.decode()
    assert badge in client.get(reverse("calendar_app:my_calendar")).content.decode()
    first = (timezone.localdate() - timedelta(days=2)).strftime("%Y-%m")
    plan = client.get(reverse("calendar_app:plan", kwargs={"slug": community.slug}), {"from": first})
    assert badge in plan.content.decode()


def test_a_duty_due_soon_says_so(client, community, districts, duty, leader):
    duty.due_date = timezone.localdate() + timedelta(days=2)
    duty.save()
    client.force_login(leader)
    page = client.get(duty.activity.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-warning">Due soon</span>' in page
    assert "Overdue" not in page


# -- the leader's Overdue page -------------------------------------------------------------


@pytest.fixture
def led(db):
    """A leader of two communities with overdue duties of three districts, and one done."""
    riverside, lakeview, hill = (DistrictFactory(name=n) for n in ("Riverside USD", "Lakeview SD", "Hill County"))
    first, second = CommunityFactory(name="Math circle"), CommunityFactory(name="Science circle")
    first.districts.add(riverside, lakeview)
    second.districts.add(hill, riverside)
    leader = UserFactory(time_zone="America/Chicago", display_name="Lee Leader")
    MembershipFactory(
        user=leader, community=first, is_district_leader=True, district=riverside, district_confirmed=True
    )
    MembershipFactory(user=leader, community=second, is_moderator=True)
    past = timezone.localdate() - timedelta(days=5)
    meeting = ActivityFactory(community=first, title="Math meeting")
    lab = ActivityFactory(community=second, title="Lab night")
    ResponsibilityFactory(activity=meeting, district=riverside, task="prepares the agenda", due_date=past)
    ResponsibilityFactory(activity=meeting, district=lakeview, task="brings snacks", due_date=past)
    ResponsibilityFactory(activity=lab, district=hill, task="sets up the lab", due_date=past)
    ResponsibilityFactory(activity=lab, district=riverside, task="cleans up", due_date=past, status="done")
    ResponsibilityFactory(
        activity=lab, district=riverside, task="writes the summary", due_date=past + timedelta(days=9)
    )
    elsewhere = ActivityFactory(title="Not led here")
    ResponsibilityFactory(activity=elsewhere, district=riverside, task="is not listed", due_date=past)
    return leader, (first, second), (riverside, lakeview, hill), (meeting, lab)


def test_a_leader_sees_overdue_duties_of_every_community_they_lead_grouped_by_district(led):
    leader, _communities, _districts, _activities = led
    groups = overdue_for_leader(user=leader)
    assert [(g.district.name, [d.task for d in g.duties]) for g in groups] == [
        ("Hill County", ["sets up the lab"]),
        ("Lakeview SD", ["brings snacks"]),
        ("Riverside USD", ["prepares the agenda"]),
    ]
    assert all(isinstance(g, OverdueGroup) for g in groups)


def test_who_may_mark_done_from_the_overdue_list(led):
    leader, _communities, _districts, _activities = led
    may = {d.task: d.may_update for g in overdue_for_leader(user=leader) for d in g.duties}
    # Their own district where they are a district leader; any district where they moderate; not another
    # district where they are only a district leader.
    assert may == {"prepares the agenda": True, "sets up the lab": True, "brings snacks": False}


def test_the_overdue_page_lists_by_district_and_marks_done(client, led):
    leader, _communities, _districts, _activities = led
    client.force_login(leader)
    page = client.get(reverse("calendar_app:overdue")).content.decode()
    assert page.index("Hill County") < page.index("Lakeview SD") < page.index("Riverside USD")
    assert "Riverside USD prepares the agenda for Math meeting" in page
    assert "is not listed" not in page
    assert "cleans up" not in page
    assert "writes the summary" not in page
    duty = Responsibility.objects.get(task="prepares the agenda")
    url = reverse("calendar_app:responsibility_status", kwargs={"slug": duty.activity.community.slug, "pk": duty.pk})
    response = client.post(url, {"status": "done", "next": reverse("calendar_app:overdue")})
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar_app:overdue")
    assert "prepares the agenda" not in client.get(reverse("calendar_app:overdue")).content.decode()


def test_the_overdue_page_for_someone_who_leads_nothing_and_for_a_visitor(client, user):
    client.force_login(user)
    response = client.get(reverse("calendar_app:overdue"))
    assert response.status_code == 200
    assert "You do not lead a community" in response.content.decode()
    client.logout()
    response = client.get(reverse("calendar_app:overdue"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_former_leader_sees_nothing_of_the_community_they_left(client, led):
    leader, (_first, second), _districts, _activities = led
    leader.memberships.filter(community=second).delete()
    client.force_login(leader)
    page = client.get(reverse("calendar_app:overdue")).content.decode()
    assert "Lab night" not in page
    assert "Hill County" not in page
    assert "Math meeting" in page


def test_the_overdue_page_costs_the_same_queries_with_3_rows_or_120(client, led, assert_num_queries_exact):
    leader, (_first, _second), (riverside, lakeview, hill), (meeting, lab) = led
    client.force_login(leader)
    url = reverse("calendar_app:overdue")
    client.get(url)  # warm the session's caches (the bell)
    # Session, user, the overdue duties, the leader's memberships there, the bell.
    with assert_num_queries_exact(5):
        assert client.get(url).status_code == 200
    past = timezone.localdate() - timedelta(days=3)
    for n in range(120):
        activity = meeting if n % 2 else lab
        district = (riverside, lakeview, hill)[n % 3]
        ResponsibilityFactory(activity=activity, district=district, task=f"task {n}", due_date=past)
    with assert_num_queries_exact(5):
        response = client.get(url)
    assert response.content.decode().count('aria-label="Mark done: ') > 60


def test_marking_another_districts_duty_done_from_the_list_is_refused(client, led):
    leader, _communities, _districts, _activities = led
    duty = Responsibility.objects.get(task="brings snacks")
    client.force_login(leader)
    url = reverse("calendar_app:responsibility_status", kwargs={"slug": duty.activity.community.slug, "pk": duty.pk})
    response = client.post(url, {"status": "done", "next": reverse("calendar_app:overdue")})
    assert response.status_code == 403
    duty.refresh_from_db()
    assert duty.status == "open"


def test_a_duty_of_another_community_through_this_communitys_url_is_404(client, led):
    leader, (first, _second), _districts, _activities = led
    duty = Responsibility.objects.get(task="sets up the lab")  # in the second community
    client.force_login(leader)
    url = reverse("calendar_app:responsibility_status", kwargs={"slug": first.slug, "pk": duty.pk})
    assert client.post(url, {"status": "done"}).status_code == 404


@pytest.mark.parametrize("status", ["", "finished", "x" * 500, "1"])
def test_a_bad_status_from_the_list_is_refused_and_changes_nothing(client, led, status):
    leader, _communities, _districts, _activities = led
    duty = Responsibility.objects.get(task="prepares the agenda")
    client.force_login(leader)
    url = reverse("calendar_app:responsibility_status", kwargs={"slug": duty.activity.community.slug, "pk": duty.pk})
    response = client.post(url, {"status": status, "next": "/calendar/overdue/"})
    assert response.status_code == 400
    duty.refresh_from_db()
    assert duty.status == "open"


def test_the_overdue_page_takes_no_posts(client, led):
    leader, *_ = led
    client.force_login(leader)
    assert client.post(reverse("calendar_app:overdue")).status_code in (403, 405)


# -- reminders: before, after, each once --------------------------------------------------------


def test_the_district_is_reminded_before_and_after_the_due_date_once_each_over_real_smtp(
    community, districts, duty, leader, smtp, run_commits
):
    teacher = member_of(community, districts[0])
    other = member_of(community, districts[1])
    former = member_of(community, districts[0])
    former.memberships.all().delete()
    early, before, before_again = DUE - timedelta(days=10), DUE - timedelta(days=3), DUE - timedelta(days=1)
    after, after_again = DUE + timedelta(days=1), DUE + timedelta(days=2)

    with run_commits():
        assert send_duty_reminders(now=at(early)) == 0
    assert smtp.received() == []

    with run_commits():
        assert send_duty_reminders(now=at(before)) == 1
    with run_commits():
        assert send_duty_reminders(now=at(before_again)) == 0
    due_soon = [m for _rcpts, m in smtp.received()]
    assert sorted(str(m["To"]) for m in due_soon) == sorted([leader.email, teacher.email])
    assert all(
        m["Subject"] == "[CoP Forum] Due soon: Riverside USD prepares the agenda for February planning meeting, "
        "due Thu, Feb 11, 2027"
        for m in due_soon
    )
    assert all(m["List-Unsubscribe"] for m in due_soon)

    with run_commits():
        assert send_duty_reminders(now=at(after)) == 1
    with run_commits():
        assert send_duty_reminders(now=at(after_again)) == 0
    overdue = [m for _rcpts, m in smtp.received()][len(due_soon) :]
    assert sorted(str(m["To"]) for m in overdue) == sorted([leader.email, teacher.email])
    assert all(str(m["Subject"]).startswith("[CoP Forum] Overdue: Riverside USD prepares the agenda") for m in overdue)

    for person in (other, former):
        assert smtp.to(person.email) == []
        assert not Notification.objects.filter(recipient=person).exists()
    assert set(Notification.objects.filter(recipient=teacher).values_list("kind", flat=True)) == {
        kinds.RESPONSIBILITY_DUE_SOON,
        kinds.RESPONSIBILITY_OVERDUE,
    }
    stages = dict(ResponsibilityReminder.objects.filter(responsibility=duty).values_list("stage", "recipients"))
    assert stages == {"before": sorted([leader.pk, teacher.pk]), "overdue": sorted([leader.pk, teacher.pk])}


def test_a_duty_done_before_its_reminder_gets_none(community, districts, duty, leader, run_commits):
    duty.status = Responsibility.Status.DONE
    duty.save()
    with run_commits():
        assert send_duty_reminders(now=at(DUE - timedelta(days=2))) == 0
        assert send_duty_reminders(now=at(DUE + timedelta(days=1))) == 0
    assert not Notification.objects.filter(recipient=leader).exists()


def test_a_duty_long_forgotten_is_not_emailed_about_when_reminders_start(community, districts, duty, leader):
    assert send_duty_reminders(now=at(DUE + timedelta(days=60))) == 0


def test_the_reminder_days_follow_the_setting(community, districts, duty, leader, settings):
    settings.RESPONSIBILITY_REMIND_DAYS_BEFORE = 1
    assert send_duty_reminders(now=at(DUE - timedelta(days=2))) == 0
    assert send_duty_reminders(now=at(DUE - timedelta(days=1))) == 1


def test_the_beat_task_is_scheduled_named_and_limited(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["calendar-duty-reminders"]
    assert entry["task"] == send_duty_reminders_task.name == "calendar_app.send_duty_reminders"
    assert send_duty_reminders_task.soft_time_limit
    assert send_duty_reminders_task.time_limit


def test_the_task_runs_through_celery_and_twice_does_nothing_twice(community, districts, leader):
    activity = ActivityFactory(community=community, title="Soon meeting")
    ResponsibilityFactory(
        activity=activity, district=districts[0], task="hosts", due_date=timezone.now().date() + timedelta(days=1)
    )
    assert send_duty_reminders_task.delay().get() == 1
    assert send_duty_reminders_task.delay().get() == 0
    assert ResponsibilityReminder.objects.count() == 1


# -- assigned --------------------------------------------------------------------------------------


def test_assigning_a_responsibility_tells_the_districts_members_not_the_others(
    community, districts, planning, leader, leader_access, run_commits
):
    from calendar_app.services import add_responsibility

    teacher = member_of(community, districts[0])
    other = member_of(community, districts[1])
    moderator = UserFactory()
    MembershipFactory(user=moderator, community=community, is_moderator=True)
    from communities.permissions import access_for

    with run_commits():
        add_responsibility(
            access=access_for(moderator, community),
            activity=planning,
            district=districts[0],
            task="prepares the agenda",
            due_date=DUE,
        )
    told = set(Notification.objects.filter(kind=kinds.RESPONSIBILITY_ASSIGNED).values_list("recipient_id", flat=True))
    assert told == {teacher.pk, leader.pk}
    assert other.pk not in told
    row = Notification.objects.get(recipient=teacher)
    assert row.sentence == (
        "Your district was given a responsibility: "
        "Riverside USD prepares the agenda for February planning meeting, due Thu, Feb 11, 2027"
    )
