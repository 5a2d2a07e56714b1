"""The monthly digest leads with "Needs moderation" for the people who moderate (issue 17, item 3)."""

import pytest
from django.core import mail

from communities.models import JoinRequest
from digests.periods import current_period
from digests.selectors import digest_for
from digests.tasks import start_monthly_digest
from discussions.models import Flag
from tests.digests.factories import CommunityNoteFactory
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.queries import exact_queries
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def waiting_work(community):
    thread = ThreadFactory(community=community)
    Flag.objects.create(community=community, thread=thread, reporter=UserFactory(), category="spam")
    ResourceFactory(community=community, submitted=True)
    JoinRequest.objects.create(community=community, user=UserFactory())


def test_the_digest_leads_with_what_waits_for_a_moderator_and_not_for_members():
    community = CommunityFactory(name="Science Leads")
    CommunityNoteFactory(community=community, period=current_period().key, body="Lab safety week.")
    waiting_work(community)
    waiting_work(CommunityFactory(name="Not moderated by them"))
    moderator = MembershipFactory(community=community, is_moderator=True).user
    member = MembershipFactory(community=community).user
    start_monthly_digest()
    (message,) = [m for m in mail.outbox if m.to == [moderator.email]]
    text = message.body
    assert text.index("NEEDS MODERATION") < text.index("SCIENCE LEADS")
    part = text.split("NEEDS MODERATION")[1].split("SCIENCE LEADS")[0]
    assert "1 open flag: http" in part
    assert "1 resource to review: http" in part
    assert "1 request to join: http" in part
    assert "Not moderated by them" not in text
    html = message.alternatives[0][0]
    assert html.index("Needs moderation") < html.index("Science Leads</a></h2>")
    assert f"/c/{community.slug}/moderation/" in html
    assert not [m for m in mail.outbox if m.to == [member.email] and "NEEDS MODERATION" in m.body]


def test_a_moderator_with_nothing_else_to_hear_still_gets_the_moderation():
    community = CommunityFactory()
    waiting_work(community)
    moderator = MembershipFactory(community=community, is_moderator=True).user
    digest = digest_for(user=moderator, period=current_period())
    assert digest is not None
    assert [work.community for work in digest.moderation] == [community]


def moderator_of(n):
    person = UserFactory()
    for _ in range(n):
        community = CommunityFactory()
        waiting_work(community)
        MembershipFactory(community=community, user=person, is_moderator=True)
    return person


def test_moderation_costs_four_queries_for_one_community_or_many_and_none_for_members():
    period = current_period()
    member = MembershipFactory(community=CommunityFactory()).user
    with exact_queries(MEMBER_QUERIES):
        digest_for(user=member, period=period)
    for person, communities in ((moderator_of(1), 1), (moderator_of(4), 4)):
        with exact_queries(MEMBER_QUERIES + 4):  # flags, submissions, join requests, broken links
            digest = digest_for(user=person, period=period)
        assert len(digest.moderation) == communities


# A member's digest: 12, with the asker's unanswered questions; the dates they already answered come with the
# activities (issue 19: 14 when they were a query of their own), the asks with the check-ins (issue 19: 13 before).
MEMBER_QUERIES = 12
