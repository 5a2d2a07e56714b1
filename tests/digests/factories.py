import factory

from digests.models import CommunityNote, DigestDelivery
from tests.factories import CommunityFactory, UserFactory


class CommunityNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityNote

    community = factory.SubFactory(CommunityFactory)
    period = "2027-06"
    body = "Welcome back! Our **June chat** is on the 12th."


class DigestDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigestDelivery

    user = factory.SubFactory(UserFactory)
    period = "2027-06"
