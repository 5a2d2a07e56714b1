"""The manage pages show people with their faces, as the rest of the site does, without a query per person."""

import pytest
from django.urls import reverse

from accounts import avatars
from discussions.models import Flag
from tests.communities.factories import JoinRequestFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, community, app="communities"):
    return reverse(f"{app}:{name}", kwargs={"slug": community.slug})


def initials_of(user, size="sm"):
    colour, letters = avatars.colour_class(user.username), avatars.initials(user.name)
    return f'class="avatar avatar-{size} {colour}" aria-hidden="true" data-initials="{letters}"'


def picture(n):
    return f"avatars/{n:032x}.webp"


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_members_and_roles_show_each_member_with_picture_or_initials(mod_client, community):
    plain = MembershipFactory(community=community, user=UserFactory(display_name="Ana Rivera")).user
    MembershipFactory(community=community, user=UserFactory(display_name="Wei Chen", avatar=picture(7)))
    page = mod_client.get(url("manage_roles", community)).content.decode()
    assert initials_of(plain, "md") in page
    assert f'src="/media/avatars/{7:032x}.webp"' in page


def test_members_and_roles_makes_as_many_queries_with_30_pictured_members_as_with_3(
    mod_client, community, assert_num_queries_exact
):
    for n in range(3):
        MembershipFactory(community=community, user=UserFactory(avatar=picture(n)))
    mod_client.get(url("manage_roles", community))
    with assert_num_queries_exact(9):
        mod_client.get(url("manage_roles", community))
    for n in range(3, 30):
        MembershipFactory(community=community, user=UserFactory(avatar=picture(n)))
    with assert_num_queries_exact(9):
        page = mod_client.get(url("manage_roles", community)).content.decode()
    assert page.count('src="/media/avatars/') == 30


def test_join_requests_show_who_asks_with_their_avatar(mod_client, community):
    asking = UserFactory(display_name="Lea Moreau")
    JoinRequestFactory(community=community, user=asking)
    page = mod_client.get(url("manage_requests", community)).content.decode()
    assert initials_of(asking, "md") in page


def test_the_moderation_queue_shows_author_and_reporter_with_avatars(mod_client, community, member):
    author = MembershipFactory(community=community, user=UserFactory(display_name="Sam Okafor")).user
    thread = ThreadFactory(community=community, author=member)
    post = PostFactory(thread=thread, author=author)
    Flag.objects.create(community=community, thread=thread, post=post, reporter=member, reason="Off topic")
    page = mod_client.get(url("moderation", community, app="discussions")).content.decode()
    assert initials_of(author) in page
    assert initials_of(member, "xs") in page
