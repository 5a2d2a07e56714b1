"""Demo calendar: a year of monthly meetings hosted by each district in turn, a monthly chat
on the second Tuesday, a site visit and some RSVPs in every demo community. Idempotent by title."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import TU, relativedelta
from django.utils import timezone

from accounts.models import User
from calendar_app import services
from calendar_app.models import RSVP, Activity
from calendar_app.selectors import add_months
from communities.demo import COMMUNITIES
from communities.models import Community, Membership
from communities.permissions import access_for

ZONE = ZoneInfo("America/Chicago")


def _at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def seed(*, stdout):
    leader = User.objects.filter(username="leader").first()
    if leader is None:
        return
    made = 0
    for spec in COMMUNITIES:
        community = Community.objects.filter(slug=spec["slug"]).first()
        if community is None:
            continue
        membership = Membership.objects.filter(user=leader, community=community).first()
        access = access_for(leader, community, membership)
        if not access.may_schedule or Activity.objects.filter(community=community).exists():
            continue
        made += _seed_community(access, community)
    if made:
        stdout.write(f"Calendar: {made} demo activities.")


def _seed_community(access, community):
    districts = list(community.districts.order_by("name"))
    first = add_months(timezone.localdate().replace(day=1), 0)
    made = 0
    for i in range(12):
        month = add_months(first, i)
        # Third Thursday of each month, 4-5pm Chicago time.
        day = month + relativedelta(weekday=3) + timedelta(weeks=2)
        start = _at(day, 16)
        host = districts[i % len(districts)] if districts else None
        preparer = districts[(i + 1) % len(districts)] if districts else None
        activity = services.schedule_activity(
            access=access,
            title=f"{month:%B} planning meeting",
            kind=Activity.Kind.MEETING,
            description=f"Monthly planning for {community.name}. Bring one success and one challenge.",
            time_zone="America/Chicago",
            start=start,
            end=start + timedelta(hours=1),
            location=f"{host.name} district office" if host else "Online",
            responsibility={"district": host, "task": "hosts the meeting"} if host else None,
        )
        if preparer and preparer != host:
            services.add_responsibility(
                access=access,
                activity=activity,
                district=preparer,
                task="prepares the agenda",
                due_date=(start - timedelta(days=7)).date(),
            )
        made += 1

    second_tuesday = first + relativedelta(weekday=TU(+2))
    if second_tuesday < timezone.localdate():
        next_month = add_months(first, 1)
        second_tuesday = next_month + relativedelta(weekday=TU(+2))
    chat_start = _at(second_tuesday, 16)
    chat = services.schedule_activity(
        access=access,
        title="Monthly online chat",
        kind=Activity.Kind.CHAT,
        description="An open hour to share what worked in class this month. **Everyone welcome.**",
        time_zone="America/Chicago",
        start=chat_start,
        end=chat_start + timedelta(hours=1),
        meeting_url="https://meet.example.org/cop-monthly-chat",
        recurrence="FREQ=MONTHLY;BYDAY=+2TU;COUNT=12",
        responsibility={"district": districts[0], "task": "moderates the chat"} if districts else None,
        # Each date's agenda is prepared by the next district in turn (the plan of districts shows it).
        rotation={"task": "prepares the agenda", "districts": districts, "days_before": 7} if districts else None,
    )
    visit_day = timezone.localdate() + timedelta(days=36)
    visit_start = _at(visit_day, 9)
    visit = services.schedule_activity(
        access=access,
        title=f"Site visit: {districts[1].name if len(districts) > 1 else 'a member school'}",
        kind=Activity.Kind.SITE_VISIT,
        description="Observe a lesson, then debrief together over lunch.",
        time_zone="America/Chicago",
        start=visit_start,
        end=visit_start + timedelta(hours=4),
        location="Lincoln Middle School, room 12",
        responsibility={"district": districts[1], "task": "hosts the site visit"} if len(districts) > 1 else None,
    )
    now = timezone.now()
    next_chat = chat.occurrences_between(now, now + timedelta(days=70))
    members = Membership.objects.filter(community=community).select_related("user")
    answers = [RSVP.Response.GOING, RSVP.Response.MAYBE, RSVP.Response.GOING, RSVP.Response.NOT_GOING]
    for index, membership in enumerate(members):
        member_access = access_for(membership.user, community, membership)
        response = answers[index % len(answers)]
        if next_chat:
            services.respond(
                access=member_access, activity=chat, occurrence_start=next_chat[0].original_start, response=response
            )
        services.respond(access=member_access, activity=visit, occurrence_start=None, response=response)
    return made + 2
