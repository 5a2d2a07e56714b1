import pytest

from communities.models import Community
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run what services hand to ``transaction.on_commit`` (the fan-out task, emails), as a commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def private_community(db):
    return CommunityFactory(visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.REQUEST)


@pytest.fixture
def asker(private_community):
    return MembershipFactory(community=private_community).user


@pytest.fixture
def private_thread(private_community, asker):
    return ThreadFactory(community=private_community, author=asker, title="Rubrics for grade 5 writing")
