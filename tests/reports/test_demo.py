from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from calendar_app.models import Attendance
from reports.models import CharterGoal


@pytest.mark.django_db
def test_demo_gives_the_teacher_hours_and_communities_goals_and_running_twice_adds_nothing(client):
    call_command("seed_demo", stdout=StringIO())
    counts = (Attendance.objects.count(), CharterGoal.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Attendance.objects.count(), CharterGoal.objects.count()) == counts
    teacher = User.objects.get(username="teacher")
    assert Attendance.objects.filter(user=teacher).exists()
    assert counts[1] >= 2
    client.force_login(teacher)
    page = client.get("/me/record/").content.decode()
    assert "1.5</td>" in page
