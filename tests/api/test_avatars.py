"""The API shows a person as the pages do: their picture's absolute address, or the initials and colour."""

import pytest

from accounts import avatars
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PICTURE = "avatars/" + "b" * 32 + ".webp"


def url(community, rest=""):
    return f"/api/v1/communities/{community.slug}/{rest}"


def test_thread_and_reply_authors_carry_picture_or_initials_and_colour(as_user, community, member, settings):
    settings.SITE_URL = "https://forum.example.org"
    with_picture = UserFactory(username="chen", display_name="Wei Chen", avatar=PICTURE)
    MembershipFactory(community=community, user=with_picture)
    without = UserFactory(username="ana", display_name="Ana Rivera")
    MembershipFactory(community=community, user=without)
    thread = ThreadFactory(community=community, author=with_picture, title="Fractions")
    PostFactory(thread=thread, author=without)
    client = as_user(member)

    author = next(t for t in client.get(url(community, "threads/")).json()["results"] if t["id"] == thread.pk)["author"]
    assert author["avatar_url"] == "https://forum.example.org/media/avatars/" + "b" * 32 + ".webp"
    assert author["initials"] == "WC"
    assert author["colour"] == avatars.colour("chen")

    posts = client.get(url(community, f"threads/{thread.pk}/posts/")).json()["results"]
    reply = next(p for p in posts if p["author"] and p["author"]["username"] == "ana")["author"]
    assert reply["avatar_url"] is None
    assert reply["initials"] == "AR"
    assert reply["colour"] == avatars.PALETTE[avatars.colour_index("ana")]


def test_members_list_carries_picture_or_initials(as_user, community, member):
    MembershipFactory(community=community, user=UserFactory(username="chen", display_name="Wei Chen", avatar=PICTURE))
    rows = {row["username"]: row for row in as_user(member).get(url(community, "members/")).json()["results"]}
    assert rows["chen"]["avatar_url"].endswith("/media/avatars/" + "b" * 32 + ".webp")
    assert rows["chen"]["avatar_url"].startswith("http")
    assert rows[member.username]["avatar_url"] is None
    assert rows[member.username]["initials"] == avatars.initials(member.name)
    assert rows[member.username]["colour"].startswith("#")
