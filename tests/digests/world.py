"""A small world with something in every digest section, in two communities.

``ours`` (public) has Ana, Ben (who also belongs to ``circle``) and a bouncing
address; ``circle`` (hidden) has Ben and Cy. Everything in ``circle`` is
marked "CIRCLE-ONLY" so a test can check that it never reaches Ana.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from communities.models import Community
from digests.periods import current_period, parse_period
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.digests.factories import CommunityNoteFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, add_ballot
from tests.resources.factories import ResourceFactory


def next_month():
    """The period after this one: its calls to action lie wholly in the future, its look-back is now."""
    return parse_period(current_period().end.strftime("%Y-%m"))


@dataclass
class World:
    period: object
    ours: Community
    circle: Community
    ana: object
    ben: object
    cy: object
    bouncer: object


def _content(community, period, district, tag, answered_by=None):
    when = period.start + dt.timedelta(days=9, hours=15)
    activity = ActivityFactory(
        community=community, title=f"{tag} webinar", start=when, end=when + dt.timedelta(hours=1)
    )
    ResponsibilityFactory(activity=activity, district=district, task=f"{tag} district hosts", due_date=when.date())
    poll = PollFactory(
        community=community, question=f"{tag} poll: how is it going?", closes_at=period.start + dt.timedelta(days=20)
    )
    if answered_by is not None:
        answered = PollFactory(community=community, question=f"{tag} poll already answered")
        add_ballot(answered, answered_by, answered.choices.first())
    area = FocusAreaFactory(community=community, name=f"{tag} focus")
    question = ThreadFactory(community=community, focus_area=area, title=f"{tag} question nobody answered yet")
    helpful = ThreadFactory(community=community, kind="idea", title=f"{tag} helpful thread")
    reply = PostFactory(thread=helpful)
    ResourceFactory(community=community, title=f"{tag} featured resource", featured=True)
    CommunityNoteFactory(community=community, period=period.key, body=f"{tag} note from the moderators.")
    return poll, area, question, reply


def build_world():
    from discussions.models import Reaction

    period = next_month()
    district = DistrictFactory(name="Riverside USD")
    ours = CommunityFactory(name="Computational Thinking", slug="ct-k8")
    circle = CommunityFactory(name="Leaders Circle", slug="leaders-circle", visibility=Community.Visibility.HIDDEN)
    ana = UserFactory(username="ana", email="ana@example.com", display_name="Ana Alvarez", district=district)
    ben = UserFactory(username="ben", email="ben@example.com", display_name="Ben Brooks", district=district)
    cy = UserFactory(username="cy", email="cy@example.com", display_name="Cy Chen", district=district)
    bouncer = UserFactory(username="bounce", email="bounce@example.com", display_name="Bo Unce")
    for person, community in ((ana, ours), (ben, ours), (bouncer, ours), (ben, circle), (cy, circle)):
        membership = MembershipFactory(user=person, community=community)
        membership.joined_at = timezone.now() - dt.timedelta(days=400)
        membership.save()
    MembershipFactory(community=ours, user=UserFactory(display_name="Nia Newcomer"))

    _poll, area, _q, reply = _content(ours, period, district, "OURS", answered_by=ana)
    area.followers.add(ana)
    Reaction.objects.create(post=reply, user=ben, kind=Reaction.Kind.HELPFUL)
    _poll, circle_area, _q, circle_reply = _content(circle, period, district, "CIRCLE-ONLY")
    circle_area.followers.add(ben, ana)  # Ana follows it but is not a member: she must still see nothing.
    Reaction.objects.create(post=circle_reply, user=cy, kind=Reaction.Kind.HELPFUL)
    return World(period=period, ours=ours, circle=circle, ana=ana, ben=ben, cy=cy, bouncer=bouncer)
