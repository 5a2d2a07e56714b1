import pytest

from communities.models import Community
from tests.chats.factories import add_prompt, live_chat
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


@pytest.fixture
def host(community):
    return MembershipFactory(community=community, is_moderator=True, user=UserFactory(display_name="Hana Host")).user


@pytest.fixture
def chat(community, host):
    """A live chat, five minutes in, with Q1 posted and Q2 still to come."""
    chat = live_chat(community=community, host=host)
    add_prompt(chat, 1, "What feedback helped you most?", posted=True)
    add_prompt(chat, 2, "How do students use it?")
    return chat


@pytest.fixture
def private_community(db):
    return CommunityFactory(visibility=Community.Visibility.MEMBERS)


@pytest.fixture
def hidden_community(db):
    return CommunityFactory(visibility=Community.Visibility.HIDDEN)
