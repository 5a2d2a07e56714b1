"""A member with something of every kind waiting in one community: the community home's "What needs you"."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from calendar_app.models import Activity
from communities.models import Membership
from mentoring.models import Pairing
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.chats.factories import ChatFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.mentoring.factories import active_pairing, mentor, mentor_request
from tests.polls.factories import PollFactory


@dataclass
class Busy:
    member: object
    titles: dict = field(default_factory=dict)  # kind: [title, ...] of what was made for the member


def busy_member(community, *, n=1, tag="", member=None):
    """``member`` (or a new one) of ``community`` with ``n`` of every kind of call to action there.

    Titles carry ``tag`` so a test can tell one community's items from another's.
    """
    now = timezone.now()
    if member is None:
        member = UserFactory(display_name=f"Busy {tag}member", district=DistrictFactory())
    if member.district is None:
        member.district = DistrictFactory()
        member.save()
    district = member.district
    if not Membership.objects.filter(user=member, community=community).exists():
        MembershipFactory(user=member, community=community)
    busy = Busy(member=member, titles={kind: [] for kind in ("overdue", "duty", "question", "rsvp", "poll")})
    area = FocusAreaFactory(community=community, name=f"{tag}Loops")
    area.followers.add(member)
    asker = MembershipFactory(community=community, user__display_name=f"Asha {tag}Asker").user
    profile = mentor(community, user=member, capacity=min(n + 1, 5))
    for i in range(n):
        past = ActivityFactory(
            community=community, kind=Activity.Kind.MEETING, title=f"{tag}Planning meeting {i}",
            start=now - timedelta(days=10 + i), end=now - timedelta(days=10 + i) + timedelta(hours=1),
        )  # fmt: skip
        ResponsibilityFactory(activity=past, district=district, task=f"brings the {tag}agenda {i}",
                              due_date=(now - timedelta(days=3 + i)).date())  # fmt: skip
        busy.titles["overdue"].append(f"{district.name} brings the {tag}agenda {i} for {tag}Planning meeting {i}")
        webinar = ActivityFactory(
            community=community, kind=Activity.Kind.WEBINAR, title=f"{tag}Webinar {i}",
            start=now + timedelta(days=2 + i), end=now + timedelta(days=2 + i, hours=1),
        )  # fmt: skip
        busy.titles["rsvp"].append(f"{tag}Webinar {i}")
        ResponsibilityFactory(activity=webinar, district=district, task=f"hosts the {tag}webinar {i}",
                              due_date=(now + timedelta(days=20 + i)).date())  # fmt: skip
        busy.titles["duty"].append(f"{district.name} hosts the {tag}webinar {i} for {tag}Webinar {i}")
        question = ThreadFactory(
            community=community, focus_area=area, author=asker, title=f"{tag}Who has a loop game {i}?"
        )
        busy.titles["question"].append(question.title)
        poll = PollFactory(community=community, question=f"{tag}How is term {i} going?")
        busy.titles["poll"].append(poll.question)
        mentee = MembershipFactory(community=community, user__display_name=f"Mo {tag}Mentee {i}").user
        Pairing.objects.create(
            community=community, request=mentor_request(community, mentee), mentor=member, mentee=mentee,
            profile=profile, status=Pairing.Status.ASKED,
        )  # fmt: skip
        own = ThreadFactory(community=community, author=member, title=f"{tag}My own question {i}",
                            created_at=now - timedelta(days=5 + i))  # fmt: skip
        PostFactory(thread=own, author=asker, body="Try pair programming.")
        chat = ActivityFactory(
            community=community, kind=Activity.Kind.CHAT, title=f"{tag}Edchat {i}",
            start=now + timedelta(days=40 + i), end=now + timedelta(days=40 + i, hours=1),
        )  # fmt: skip
        ChatFactory(activity=chat, topic=f"{tag}Feedback that moves learning {i}")
    guide = mentor(community, capacity=1)
    active_pairing(guide, member)
    return busy
