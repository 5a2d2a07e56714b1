import re
from datetime import timedelta

import factory
from django.utils import timezone

from polls.models import Ballot, BallotChoice, Choice, Participation, Poll
from tests.factories import CommunityFactory


class PollFactory(factory.django.DjangoModelFactory):
    """A single-choice poll, open for a week, with choices "Yes", "No" and "Not sure" (pass ``choices=[...]``)."""

    class Meta:
        model = Poll
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    question = factory.Sequence(lambda n: f"How is term {n} going?")
    kind = Poll.Kind.SINGLE
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    @factory.post_generation
    def choices(obj, create, extracted, **kwargs):
        if not create:
            return
        if obj.kind == Poll.Kind.TEXT:
            labels = []
        elif obj.kind == Poll.Kind.SCALE:
            labels = [f"{n}" for n in range(1, 6)]
        else:
            labels = extracted if extracted is not None else ["Yes", "No", "Not sure"]
        Choice.objects.bulk_create(Choice(poll=obj, label=label, position=i) for i, label in enumerate(labels))


def add_ballot(poll, user, *choices, text=""):
    """Store an answer directly (for tests that need many); anonymous polls get no voter link."""
    Participation.objects.create(poll=poll, user=user)
    ballot = Ballot.objects.create(
        poll=poll,
        voter=None if poll.is_anonymous else user,
        text=text,
        updated_at=None if poll.is_anonymous else timezone.now(),
    )
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, choice=choice) for choice in choices)
    return ballot


def page_text(response):
    """The text a person reads on a response: tags dropped, spaces collapsed."""

    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
