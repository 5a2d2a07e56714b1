"""The demo data (``manage.py seed_demo``), seeded once for this module and run a second time.

Seeding the demo costs several seconds; each app's test used to seed it twice on its own. Here
one module-scoped fixture seeds it, counts every kind of row, seeds it again and counts again,
inside a transaction rolled back after the module; each test below runs in a savepoint of it.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendar_app.models import RSVP, Activity, Attendance, Responsibility
from chats.models import Chat, Message
from chats.selectors import archive
from communities.demo import COMMUNITIES
from communities.models import Community, Membership
from digests.models import CommunityNote
from digests.selectors import calls_to_action
from mentoring.models import MentorProfile, MentorRequest, Pairing
from reports.models import CharterGoal
from resources.models import Collection, Resource

COUNTED = (
    User,
    Community,
    Membership,
    Chat,
    Message,
    CommunityNote,
    MentorProfile,
    MentorRequest,
    Pairing,
    Resource,
    Collection,
    Activity,
    Responsibility,
    RSVP,
    Attendance,
    CharterGoal,
)


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What the first run printed and counted, and what the second run counted."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            first = _counts()
            call_command("seed_demo", stdout=StringIO())
            yield {"printed": out.getvalue(), "first": first, "second": _counts()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(demo, db):
    return demo


def test_running_the_demo_twice_adds_nothing(seeded):
    assert seeded["second"] == seeded["first"]
    assert all(seeded["first"][name] for name in ("User", "Community", "Chat", "Resource", "Activity", "RSVP"))


def test_seed_demo_prints_logins(seeded):
    printed = seeded["printed"]
    for email in ("teacher@example.com", "moderator@example.com", "leader@example.com", "staff@example.com"):
        assert email in printed
    assert "cop-demo-2026" in printed
    assert User.objects.get(email="staff@example.com").is_staff
    assert User.objects.get(email="leader@example.com").can_create_communities


def test_the_demo_has_an_archive_and_a_chat_to_come(seeded):
    held, coming = Chat.objects.order_by("activity__start")
    assert held.state() == Chat.State.CLOSED
    assert [group.answer_count for group in archive(chat=held)] == [2, 1, 1]
    assert coming.state() == Chat.State.UPCOMING
    assert coming.prompts.count() == 3


def test_demo_communities_get_a_moderators_note(seeded):
    assert CommunityNote.objects.count() >= 3
    assert all(note.body_html.startswith("<p>") for note in CommunityNote.objects.all())


def test_the_demo_shows_an_active_pair_with_a_check_in_due_and_a_waiting_request(seeded):
    assert (MentorProfile.objects.count(), MentorRequest.objects.count(), Pairing.objects.count()) == (2, 2, 1)
    pairing = Pairing.objects.get()
    assert pairing.status == Pairing.Status.ACTIVE
    assert "both K-2" in pairing.reasons
    peer = User.objects.get(username="peer")
    assert [c.title for c in calls_to_action(user=peer).mentoring] == ["Check in with Morgan Lee"]


def test_every_demo_community_gets_each_kind_status_two_collections_and_a_feature_this_month(seeded):
    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for spec in COMMUNITIES:
        resources = Resource.objects.filter(community__slug=spec["slug"])
        assert set(resources.values_list("kind", flat=True)) == set(Resource.Kind.values)
        assert set(resources.values_list("status", flat=True)) == set(Resource.Status.values)
        assert Collection.objects.filter(community__slug=spec["slug"]).count() == 2
        assert resources.filter(status="featured", featured_at__gte=month_start).exists()
        file_resource = resources.get(kind="file")
        assert file_resource.file.storage.exists(file_resource.file.name)


def test_demo_gives_the_teacher_hours_and_communities_goals(seeded, client):
    teacher = User.objects.get(username="teacher")
    assert Attendance.objects.filter(user=teacher).exists()
    assert CharterGoal.objects.count() >= 2
    client.force_login(teacher)
    page = client.get("/me/record/").content.decode()
    assert "1.5</td>" in page


def test_demo_gives_each_community_a_year_of_activities(seeded):
    for spec in COMMUNITIES:
        activities = Activity.objects.filter(community__slug=spec["slug"])
        assert activities.filter(kind="meeting").count() == 12
        assert activities.get(kind="chat", recurrence__gt="").recurrence == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=12"
        assert activities.filter(kind="site_visit").exists()
        hosts = Responsibility.objects.filter(activity__in=activities, task="hosts the meeting")
        assert hosts.values("district").distinct().count() == 4
        assert RSVP.objects.filter(activity__in=activities).exists()
