"""The kinds fed by resources, the calendar and polls: each made by its action, told to exactly the right people."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calendar_app import services as calendar_services
from calendar_app.models import RSVP
from communities.permissions import access_for
from notifications import kinds, selectors
from notifications.models import Notification
from polls import services as poll_services
from polls.models import Poll, PollSeries
from resources import services as resource_services
from resources.models import Resource
from resources.tasks import check_resource_link
from tests.calendar_app.factories import RSVPFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def told(kind):
    return {n.recipient_id: n for n in Notification.objects.filter(kind=kind).select_related("actor", "community")}


@pytest.fixture
def moderator(private_community):
    return MembershipFactory(community=private_community, is_moderator=True).user


@pytest.fixture
def member(private_community):
    return MembershipFactory(community=private_community).user


def leave(person, community):
    person.memberships.filter(community=community).delete()


# -- resources -------------------------------------------------------------------------------


def submit(person, community, title="Fraction strips"):
    return resource_services.submit_resource(
        access=access_for(person, community), title=title, kind="link", url="https://example.org/strips"
    )


def test_a_submission_tells_this_communitys_moderators_only(run_commits, private_community, moderator, member):
    CommunityFactory()  # its moderators hear nothing
    other_moderator = MembershipFactory(community=CommunityFactory(), is_moderator=True).user
    with run_commits():
        resource = submit(member, private_community)
    notes = told(kinds.MOD_SUBMISSION)
    assert set(notes) == {moderator.pk}
    assert other_moderator.pk not in notes
    note = notes[moderator.pk]
    assert note.sentence == f"{member.name} submitted “Fraction strips” for review"
    assert note.url == reverse("resources:review", kwargs={"slug": private_community.slug}) + "#waiting"
    assert note.target_id == resource.pk


def test_a_moderators_own_resource_goes_straight_in_and_asks_nobody(run_commits, private_community, moderator):
    MembershipFactory(community=private_community, is_moderator=True)
    with run_commits():
        submit(moderator, private_community)
    assert not Notification.objects.exists()


def test_approving_and_turning_down_tell_the_submitter(run_commits, private_community, moderator, member):
    first, second = (ResourceFactory(community=private_community, submitted_by=member, submitted=True) for _ in "ab")
    access = access_for(moderator, private_community)
    with run_commits():
        resource_services.approve_resource(access=access, resource=first)
        resource_services.reject_resource(access=access, resource=second, reason="The link needs a login")
    sentences = sorted(n.sentence for n in Notification.objects.filter(kind=kinds.RESOURCE_DECIDED))
    assert sentences == [
        f"Your resource “{first.title}” was approved",
        f"Your resource “{second.title}” was turned down: “The link needs a login”",
    ]
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {member.pk}
    assert Notification.objects.get(target_id=second.pk).url == second.get_absolute_url()


def test_a_submitter_who_left_the_private_community_is_not_told(run_commits, private_community, moderator, member):
    resource = ResourceFactory(community=private_community, submitted_by=member, submitted=True)
    leave(member, private_community)
    with run_commits():
        resource_services.approve_resource(access=access_for(moderator, private_community), resource=resource)
    assert not Notification.objects.filter(recipient=member).exists()


@pytest.fixture
def dead_port(settings):
    """A loopback address nothing listens on: the link checker finds it broken."""
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/lesson"


def test_a_link_that_breaks_tells_the_moderators_once_across_two_checks(
    run_commits, private_community, moderator, member, dead_port
):
    resource = ResourceFactory(community=private_community, url=dead_port, title="Unit plan")
    with run_commits():
        assert check_resource_link(resource.pk) is False
        assert check_resource_link(resource.pk) is False
    (note,) = Notification.objects.filter(kind=kinds.MOD_BROKEN_LINK)
    assert note.recipient == moderator
    assert note.sentence == "The link of “Unit plan” is broken"
    assert note.url.endswith("/review/#broken")
    assert Resource.objects.get(pk=resource.pk).link_status == Resource.LinkStatus.BROKEN


def test_someone_who_stopped_moderating_no_longer_sees_the_moderators_kinds(
    client, run_commits, private_community, moderator, member
):
    with run_commits():
        submit(member, private_community)
    assert selectors.unread_count(moderator) == 1
    moderator.memberships.update(is_moderator=False)  # still a member, no longer a moderator
    assert selectors.unread_count(moderator) == 0
    client.force_login(moderator)
    assert "for review" not in client.get(reverse("notifications:list")).content.decode()
    note = Notification.objects.get(kind=kinds.MOD_SUBMISSION)
    assert client.get(reverse("notifications:go", args=[note.pk])).status_code == 404


def test_a_submission_is_not_fanned_out_to_someone_demoted_before_the_task_ran(
    django_capture_on_commit_callbacks, private_community, moderator, member
):
    with django_capture_on_commit_callbacks() as callbacks:
        submit(member, private_community)
    moderator.memberships.update(is_moderator=False)
    for callback in callbacks:
        callback()
    assert not Notification.objects.exists()


def test_a_stale_link_to_a_deleted_resource_gets_a_clear_page(client, run_commits, private_community, member):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    with run_commits():
        resource = submit(member, private_community, title="Old worksheet")
    resource.delete()
    note = Notification.objects.get(recipient=moderator)
    client.force_login(moderator)
    response = client.get(reverse("notifications:go", args=[note.pk]))
    assert response.status_code == 410
    assert "This is no longer here" in response.content.decode()
    assert "Old worksheet" in response.content.decode()


# -- the calendar ----------------------------------------------------------------------------

START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)


@pytest.fixture
def series(private_community, moderator):
    return calendar_services.schedule_activity(
        access=access_for(moderator, private_community),
        title="Weekly chat",
        kind="chat",
        start=START,
        end=START + timedelta(hours=1),
        time_zone="UTC",
        recurrence="FREQ=WEEKLY;COUNT=4",
    )


def answered(activity, response, when=START):
    person = MembershipFactory(community=activity.community).user
    RSVPFactory(activity=activity, user=person, response=response, occurrence_start=when)
    return person


def test_moving_a_date_tells_everyone_who_answered_for_that_date(run_commits, series, moderator):
    going, not_going = answered(series, RSVP.Response.GOING), answered(series, RSVP.Response.NOT_GOING)
    answered(series, RSVP.Response.GOING, when=START + timedelta(weeks=1))  # another date: not told
    with run_commits():
        calendar_services.move_occurrence(
            access=access_for(moderator, series.community),
            activity=series,
            original_start=START,
            new_start=START + timedelta(hours=2),
        )
    notes = told(kinds.ACTIVITY_CHANGED)
    assert set(notes) == {going.pk, not_going.pk}
    assert notes[going.pk].sentence == "“Weekly chat”, which you answered, was moved"
    assert notes[going.pk].url == f"{series.get_absolute_url()}?occurrence={START:%Y%m%dT%H%M%SZ}"


def test_cancelling_a_date_tells_those_going_or_maybe_once(run_commits, series, moderator):
    going, maybe = answered(series, RSVP.Response.GOING), answered(series, RSVP.Response.MAYBE)
    answered(series, RSVP.Response.NOT_GOING)
    access = access_for(moderator, series.community)
    with run_commits():
        calendar_services.cancel_occurrence(access=access, activity=series, original_start=START)
        calendar_services.cancel_occurrence(access=access, activity=series, original_start=START)  # idempotent
    assert set(told(kinds.ACTIVITY_CANCELLED)) == {going.pk, maybe.pk}
    assert Notification.objects.count() == 2


def test_someone_who_left_is_not_told_of_a_cancellation(run_commits, series, moderator, private_community):
    gone = answered(series, RSVP.Response.GOING)
    leave(gone, private_community)
    with run_commits():
        calendar_services.cancel_occurrence(
            access=access_for(moderator, private_community), activity=series, original_start=START
        )
    assert not Notification.objects.exists()


def test_moving_a_one_off_activity_tells_who_answered_and_a_title_change_tells_nobody(
    run_commits, private_community, moderator
):
    access = access_for(moderator, private_community)
    activity = calendar_services.schedule_activity(
        access=access, title="Site visit", kind="site_visit", start=START, end=START + timedelta(hours=1)
    )
    person = answered(activity, RSVP.Response.GOING, when=None)
    with run_commits():
        calendar_services.update_activity(access=access, activity=activity, title="Site visit to Oak School")
    assert not Notification.objects.exists()
    with run_commits():
        calendar_services.update_activity(
            access=access, activity=activity, start=START + timedelta(days=1), end=START + timedelta(days=1, hours=1)
        )
    assert set(told(kinds.ACTIVITY_CHANGED)) == {person.pk}


def test_deleting_an_activity_tells_who_was_coming_and_links_to_the_calendar(
    client, run_commits, private_community, moderator
):
    access = access_for(moderator, private_community)
    activity = calendar_services.schedule_activity(
        access=access, title="Webinar", kind="webinar", start=START, end=START + timedelta(hours=1)
    )
    person = answered(activity, RSVP.Response.MAYBE, when=None)
    with run_commits():
        calendar_services.delete_activity(access=access, activity=activity)
    note = told(kinds.ACTIVITY_CANCELLED)[person.pk]
    assert note.sentence == "“Webinar”, which you answered, was cancelled"
    client.force_login(person)
    response = client.get(reverse("notifications:go", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar_app:month", kwargs={"slug": private_community.slug})


# -- polls -------------------------------------------------------------------------------------


def new_poll(person, community, **extra):
    return poll_services.create_poll(
        access=access_for(person, community),
        question="How is the unit going?",
        kind="single",
        choices=["Well", "Not"],
        **extra,
    )


def test_a_poll_that_opens_now_tells_the_members_but_not_its_author_or_outsiders(
    run_commits, private_community, moderator, member
):
    UserFactory()
    MembershipFactory(community=CommunityFactory())
    with run_commits():
        poll = new_poll(moderator, private_community)
    notes = told(kinds.POLL_OPENED)
    assert set(notes) == {member.pk}
    assert notes[member.pk].sentence == "A poll opened: “How is the unit going?”"
    assert notes[member.pk].url == poll.get_absolute_url()


def test_a_scheduled_poll_is_announced_when_it_opens_once_across_two_runs(
    run_commits, private_community, moderator, member
):
    with run_commits():
        poll = new_poll(moderator, private_community, opens_at=timezone.now() + timedelta(hours=1))
        assert poll_services.announce_opened_polls() == 0
    assert not Notification.objects.exists()
    later = timezone.now() + timedelta(hours=2)
    with run_commits():
        assert poll_services.announce_opened_polls(now=later) == 1
        assert poll_services.announce_opened_polls(now=later) == 0
    assert set(told(kinds.POLL_OPENED)) == {member.pk, moderator.pk}  # a scheduled opening has no actor
    assert Poll.objects.get(pk=poll.pk).announced_at == later


def test_a_poll_that_closed_before_anyone_was_told_is_not_announced(run_commits, private_community, member):
    PollFactory(
        community=private_community,
        opens_at=timezone.now() - timedelta(days=2),
        closes_at=timezone.now() - timedelta(days=1),
    )
    with run_commits():
        assert poll_services.announce_opened_polls() == 0
    assert not Notification.objects.exists()


def test_a_repeating_round_opened_by_the_beat_is_announced_once_not_to_former_members(
    run_commits, private_community, moderator, member
):
    former = MembershipFactory(community=private_community).user
    poll = PollFactory(
        community=private_community, created_by=moderator, opens_at=datetime(2027, 1, 3, 15, tzinfo=UTC), closes_at=None
    )
    series = poll_services.set_poll_repeat(
        access=access_for(moderator, private_community), poll=poll, every="month", day=3
    )
    PollSeries.objects.filter(pk=series.pk).update(next_round_at=datetime(2027, 2, 3, 15, tzinfo=UTC))
    leave(former, private_community)
    now = datetime(2027, 2, 3, 15, 5, tzinfo=UTC)
    with run_commits():
        (second_round,) = poll_services.open_due_rounds(now=now)
        assert poll_services.open_due_rounds(now=now) == []
        assert poll_services.announce_opened_polls(now=now) == 0  # the beat's round was told already
    notes = told(kinds.POLL_OPENED)
    assert set(notes) == {member.pk, moderator.pk}
    assert {n.target_id for n in notes.values()} == {second_round.pk}


def test_the_announcing_beat_task_is_scheduled(settings):
    from polls.tasks import announce_opened_polls

    assert settings.CELERY_BEAT_SCHEDULE["polls-announce-opened"]["task"] == announce_opened_polls.name
