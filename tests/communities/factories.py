from datetime import timedelta

import factory
from django.utils import timezone

from communities.models import Invitation, JoinRequest
from tests.factories import CommunityFactory, UserFactory


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    community = factory.SubFactory(CommunityFactory, join_policy="request")
    user = factory.SubFactory(UserFactory)
    message = "I teach grade 4 and would like to join."


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    community = factory.SubFactory(CommunityFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
