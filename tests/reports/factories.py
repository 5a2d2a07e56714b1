"""Attendance as the calendar's services keep it."""

from datetime import timedelta

import factory

from calendar_app.models import Attendance
from tests.calendar_app.factories import ActivityFactory
from tests.factories import UserFactory


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    activity = factory.SubFactory(ActivityFactory)
    user = factory.SubFactory(UserFactory)
    attended_on = factory.LazyAttribute(lambda o: o.activity.start)
    minutes = factory.LazyAttribute(lambda o: int((o.activity.end - o.activity.start) / timedelta(minutes=1)))
