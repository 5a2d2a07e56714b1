import factory
from django.utils import timezone

from resources.models import Collection, CollectionItem, Resource
from tests.factories import CommunityFactory, UserFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Resource {n}")
    description = "A resource colleagues found helpful."
    description_html = "<p>A resource colleagues found helpful.</p>"
    kind = Resource.Kind.LINK
    url = factory.Sequence(lambda n: f"https://example.org/resource/{n}")
    submitted_by = factory.SubFactory(UserFactory)
    status = Resource.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)

    class Params:
        featured = factory.Trait(status=Resource.Status.FEATURED, featured_at=factory.LazyFunction(timezone.now))
        submitted = factory.Trait(status=Resource.Status.SUBMITTED, approved_at=None)


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Collection {n}")
    description = "Hand-picked."
    description_html = "<p>Hand-picked.</p>"


class CollectionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionItem

    collection = factory.SubFactory(CollectionFactory)
    resource = factory.SubFactory(ResourceFactory)
    position = factory.Sequence(lambda n: n)
