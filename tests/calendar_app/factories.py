"""Calendar factories. Activities get their span filled in as the services would."""

from datetime import UTC, datetime, timedelta

import factory

from calendar_app.models import RSVP, Activity, OccurrenceChange, Responsibility
from calendar_app.services import SPAN_FIELDS, _refresh_span
from tests.factories import CommunityFactory, DistrictFactory, UserFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    description = "Bring a lesson idea."
    description_html = "<p>Bring a lesson idea.</p>"
    kind = Activity.Kind.CHAT
    start = factory.LazyFunction(lambda: datetime.now(UTC).replace(microsecond=0) + timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    time_zone = "UTC"
    span_start = factory.LazyAttribute(lambda o: o.start)
    span_end = factory.LazyAttribute(lambda o: o.end)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        activity = model_class(*args, **kwargs)
        _refresh_span(activity)
        activity.save()
        return activity


class OccurrenceChangeFactory(factory.django.DjangoModelFactory):
    """An exception to a series; its activity's span and next date are kept as the services keep them."""

    class Meta:
        model = OccurrenceChange

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        change = super()._create(model_class, *args, **kwargs)
        activity = change.activity
        _refresh_span(activity)
        activity.save(update_fields=SPAN_FIELDS)
        return change


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    activity = factory.SubFactory(ActivityFactory)
    district = factory.SubFactory(DistrictFactory)
    task = "hosts the chat"
    due_date = factory.LazyAttribute(lambda o: o.activity.start.date())


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    activity = factory.SubFactory(ActivityFactory)
    user = factory.SubFactory(UserFactory)
    response = RSVP.Response.GOING
