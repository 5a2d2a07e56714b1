"""Moderators preview what a member of their community gets from it in the digest, and nothing more."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.digests.world import build_world
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def url(community):
    return reverse("digests:member_preview", kwargs={"slug": community.slug})


def moderator_of(community):
    return MembershipFactory(community=community, is_moderator=True, user=UserFactory(display_name="Mo Derator")).user


def test_a_moderator_sees_the_members_digest_from_this_community_only(client, world):
    client.force_login(moderator_of(world.ours))
    response = client.get(url(world.ours), {"member": "ben", "period": world.period.key})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ben Brooks" in page
    for ours in (
        "OURS note from the moderators.",
        "OURS poll: how is it going?",
        "OURS helpful thread",
        "OURS webinar",
    ):
        assert ours in page
    # Ben also belongs to the hidden Leaders Circle: none of it reaches a moderator of another community.
    assert "CIRCLE-ONLY" not in page
    assert "Leaders Circle" not in page
    assert "Subject:" in page
    assert "/digests/unsubscribe/" not in page  # the member's one-click unsubscribe link is theirs alone
    assert "Mo Derator" in page  # the page's own header still names the moderator
    assert not mail.outbox


def test_members_are_found_by_email_too_case_insensitively(client, world):
    client.force_login(moderator_of(world.ours))
    response = client.get(url(world.ours), {"member": "  ANA@example.com ", "period": world.period.key})
    assert response.status_code == 200
    assert "Ana Alvarez" in response.content.decode()


def test_a_member_with_nothing_from_this_community_gets_a_plain_message(client, world):
    quiet_place = CommunityFactory(name="Quiet Place")
    quiet = MembershipFactory(community=quiet_place, user=UserFactory(username="quiet", display_name="Q")).user
    client.force_login(moderator_of(quiet_place))
    response = client.get(url(quiet_place), {"member": quiet.username, "period": "2001-01"})
    assert response.status_code == 200
    assert "Nothing from Quiet Place for Q in January 2001." in response.content.decode()


@pytest.mark.parametrize(
    ("member", "period", "message"),
    [
        ("", "", "Enter a member&#x27;s username or email address."),
        ("   ", "", "Enter a member&#x27;s username or email address."),
        ("x" * 255, "", "longer than any username or email address"),
        ("ghost", "", "No member of Computational Thinking has that username or email address."),
        ("ana", "13-2027", "is not a period"),
        ("ana", "2027-W03", "Enter a month as YYYY-MM"),
        ("ana", "x" * 11, "Ensure this value has at most 10 characters"),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_keeps_what_was_typed(client, world, member, period, message):
    client.force_login(moderator_of(world.ours))
    response = client.get(url(world.ours), {"member": member, "period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if member.strip():
        assert f'value="{member}"' in page


def test_someone_in_another_community_is_no_member_here_and_nothing_leaks(client, world):
    ThreadFactory(community=world.circle, title="CIRCLE-ONLY secret plans")
    client.force_login(moderator_of(world.ours))
    response = client.get(url(world.ours), {"member": "cy", "period": world.period.key})  # Cy is only in the circle
    assert response.status_code == 400
    page = response.content.decode()
    assert "No member of Computational Thinking has that username or email address." in page
    assert "CIRCLE-ONLY" not in page
    assert "Cy Chen" not in page


def test_a_moderator_of_one_community_cannot_preview_through_another(client, world):
    client.force_login(moderator_of(world.ours))
    assert client.get(url(world.circle), {"member": "ben"}).status_code == 404  # hidden: not even there


@pytest.mark.parametrize("who", ["member", "anonymous", "outsider"])
def test_only_moderators_may_preview(client, world, who):
    if who == "member":
        client.force_login(world.ana)
    elif who == "outsider":
        client.force_login(UserFactory())
    response = client.get(url(world.ours), {"member": "ben", "period": world.period.key})
    if who == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert b"OURS note" not in response.content


def test_the_full_cross_community_preview_stays_staff_only(client, world):
    client.force_login(moderator_of(world.ours))
    response = client.get(reverse("digests:preview"), {"email": "ben@example.com"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_digest_note_page_offers_the_preview(client, world):
    client.force_login(moderator_of(world.ours))
    page = client.get(reverse("digests:community_note", kwargs={"slug": world.ours.slug})).content.decode()
    assert f'action="{url(world.ours)}"' in page
    assert "Show their digest" in page


def test_preview_costs_the_same_queries_however_much_the_member_has(client, world, assert_num_queries_exact):
    moderator = moderator_of(world.ours)
    client.force_login(moderator)
    # 21 includes the one query behind the community tabs' moderation counts (moderators only). The member's
    # answered dates come with the activities (issue 19: 23 when they were a query of their own), the asks with
    # the check-ins (issue 19: 22 before).
    with assert_num_queries_exact(21):
        client.get(url(world.ours), {"member": "ben", "period": world.period.key})
    for n in range(30):
        ThreadFactory(community=world.ours, title=f"More talk {n}")
        MembershipFactory(community=world.ours)
    with assert_num_queries_exact(21):
        response = client.get(url(world.ours), {"member": "ben", "period": world.period.key})
    assert response.status_code == 200
