from io import StringIO

import pytest
from django.core.management import call_command

from calendar_app.models import RSVP, Activity, Responsibility
from communities.demo import COMMUNITIES


@pytest.mark.django_db
def test_demo_gives_each_community_a_year_of_activities_and_running_twice_adds_nothing():
    call_command("seed_demo", stdout=StringIO())
    counts = (Activity.objects.count(), Responsibility.objects.count(), RSVP.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Activity.objects.count(), Responsibility.objects.count(), RSVP.objects.count()) == counts
    for spec in COMMUNITIES:
        activities = Activity.objects.filter(community__slug=spec["slug"])
        assert activities.filter(kind="meeting").count() == 12
        assert activities.get(kind="chat", recurrence__gt="").recurrence == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=12"
        assert activities.filter(kind="site_visit").exists()
        hosts = Responsibility.objects.filter(activity__in=activities, task="hosts the meeting")
        assert hosts.values("district").distinct().count() == 4
        assert RSVP.objects.filter(activity__in=activities).exists()
