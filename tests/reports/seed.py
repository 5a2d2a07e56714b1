"""A community whose dashboard figures are known by construction (see the comments for each)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from calendar_app.models import RSVP, Attendance
from discussions.models import Thread
from polls.models import Poll, PollSeries
from resources.models import UsefulMark
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory, RSVPFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, add_ballot
from tests.resources.factories import ResourceFactory

PERIOD = {"from": "2026-09-01", "to": "2026-10-31"}


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Seeded:
    community: object
    riverside: object
    lakeview: object
    moderator: object
    leader: object
    quiet: object
    lakeview_quiet: object


def seed_known_community():
    community = CommunityFactory(name="Math Coaches", slug="math-coaches")
    riverside, lakeview = DistrictFactory(name="Riverside"), DistrictFactory(name="Lakeview")
    community.districts.add(riverside, lakeview)
    joined = at(1, 5)

    def member(name, district, **roles):
        user = UserFactory(username=name, display_name=name.title(), district=district)
        MembershipFactory(user=user, community=community, joined_at=joined, **roles)
        return user

    a1, a2 = member("ana", riverside), member("abe", riverside)
    b1 = member("bo", lakeview)
    moderator = member("mod", None, is_moderator=True)
    leader = member("lee", riverside, is_district_leader=True)
    quiet = member("quinn", riverside)
    lakeview_quiet = member("lana", lakeview)
    fractions = FocusAreaFactory(community=community, name="Fractions")

    # Threads: two questions in September, one success in October. Replies: one each.
    q1 = ThreadFactory(
        community=community, author=a1, kind=Thread.Kind.QUESTION, focus_area=fractions, created_at=at(9, 5)
    )
    answer = PostFactory(thread=q1, author=b1, created_at=at(9, 5, 12))  # first reply after 2 hours
    Thread.objects.filter(pk=q1.pk).update(accepted_post=answer)  # accepted after 2 hours
    ThreadFactory(community=community, author=a2, kind=Thread.Kind.QUESTION, created_at=at(9, 10))  # unanswered
    success = ThreadFactory(community=community, author=b1, kind=Thread.Kind.SUCCESS, created_at=at(10, 3))
    PostFactory(thread=success, author=a2, created_at=at(10, 4))
    # Recent activity outside the period keeps these members from looking quiet.
    for user in (a1, a2, b1, moderator, leader):
        ThreadFactory(
            community=community, author=user, kind=Thread.Kind.IDEA, created_at=datetime.now(UTC) - timedelta(days=3)
        )

    # One session in September: three said going, two attended.
    session = ActivityFactory(
        community=community, title="Fraction talks", start=at(9, 20), end=at(9, 20) + timedelta(minutes=90)
    )
    for user in (a1, a2, b1):
        RSVPFactory(activity=session, user=user, response=RSVP.Response.GOING)
    for user in (a1, b1):
        Attendance.objects.create(activity=session, user=user, attended_on=session.start, minutes=90)

    # A scale poll in September: Ana answers 4, Bo answers 2.
    # The first round of a monthly pulse (the dashboard's trend by round has one round).
    pulse = PollSeries.objects.create(community=community)
    poll = PollFactory(
        community=community, kind=Poll.Kind.SCALE, opens_at=at(9, 15), closes_at=at(9, 22), series=pulse, round=1
    )
    choices = list(poll.choices.order_by("position"))
    add_ballot(poll, a1, choices[3])
    add_ballot(poll, b1, choices[1])

    # Resources: two submitted, one approved, one featured, one marked useful.
    featured = ResourceFactory(
        community=community,
        submitted_by=a2,
        created_at=at(9, 1),
        approved_at=at(9, 2),
        featured_at=at(10, 1),
        status="featured",
    )
    ResourceFactory(community=community, submitted_by=b1, created_at=at(10, 2), status="submitted", approved_at=None)
    UsefulMark.objects.create(resource=featured, user=b1, created_at=at(10, 5))

    # Duties: Riverside on time; Lakeview one late and one still open (overdue).
    ResponsibilityFactory(
        activity=session, district=riverside, due_date=at(9, 20).date(), status="done", done_at=at(9, 19)
    )
    ResponsibilityFactory(
        activity=session, district=lakeview, due_date=at(9, 25).date(), status="done", done_at=at(9, 28)
    )
    ResponsibilityFactory(activity=session, district=lakeview, due_date=at(10, 10).date())
    return Seeded(community, riverside, lakeview, moderator, leader, quiet, lakeview_quiet)
