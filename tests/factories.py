"""factory_boy factories for accounts and communities; apps add their own in tests/<app>/factories.py."""

import factory
from allauth.account.models import EmailAddress

from accounts.models import District, User
from communities.models import Community, FocusArea, Membership

PASSWORD = "a-Strong-test-pass-42"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"District {n}")
    region = "Test County"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.LazyAttribute(lambda o: f"{o.username.title()} Person")
    time_zone = "UTC"
    # Hashed before the INSERT (``UserFactory(password=...)`` is hashed too): no second UPDATE per user.
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:  # a new user has no address yet: one INSERT, no get-or-create round trips
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    tagline = "Educators learning together"
    domain = factory.LazyAttribute(lambda o: f"The shared concern of {o.name}")
    purpose = "Share practice and grow together."
    visibility = Community.Visibility.PUBLIC
    join_policy = factory.LazyAttribute(
        lambda o: (
            Community.JoinPolicy.INVITATION
            if o.visibility == Community.Visibility.HIDDEN
            else Community.JoinPolicy.OPEN
        )
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Focus area {n}")
    slug = factory.Sequence(lambda n: f"focus-area-{n}")
    description = "A sub-topic."
