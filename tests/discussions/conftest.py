import pytest

from tests.discussions.factories import ThreadFactory


@pytest.fixture
def thread(community, member):
    return ThreadFactory(community=community, author=member)
