"""Demo records: a past kick-off session with attendance in each demo community (the teacher was
there, so /me/record/ has hours and a certificate to download) and two charter goals. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from calendar_app import services as calendar_services
from calendar_app.models import Activity
from communities.demo import COMMUNITIES
from communities.models import Community
from communities.permissions import access_for
from reports.models import CharterGoal
from reports.periods import school_year_start

KICK_OFF = "Term kick-off webinar: sharing our goals"


def seed(*, stdout):
    leader = User.objects.filter(username="leader").first()
    if leader is None:
        return
    sessions = goals = 0
    for spec in COMMUNITIES:
        community = Community.objects.filter(slug=spec["slug"]).first()
        if community is None:
            continue
        access = access_for(leader, community)
        if not access.may_schedule:
            continue
        if not Activity.objects.filter(community=community, title=KICK_OFF).exists():
            start = (timezone.now() - timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
            activity = calendar_services.schedule_activity(
                access=access,
                title=KICK_OFF,
                description="Each district shares one practice goal for the term.",
                kind=Activity.Kind.WEBINAR,
                start=start,
                end=start + timedelta(minutes=90),
                time_zone="America/Chicago",
            )
            members = list(User.objects.filter(memberships__community=community).order_by("pk")[:12])
            calendar_services.mark_attendance(
                access=access, activity=activity, occurrence_start=None, attendees=members
            )
            sessions += 1
        if not CharterGoal.objects.filter(community=community).exists():
            today = timezone.localdate()
            first = school_year_start(today)
            due = first.replace(year=first.year + 1, month=6, day=15)
            CharterGoal.objects.create(
                community=community,
                title="30 approved lesson plans by June",
                metric="approved_resources",
                target=30,
                starts_on=first,
                due_on=due,
                created_by=leader,
            )
            CharterGoal.objects.create(
                community=community,
                title="Every question answered within 3 days",
                metric="answered_within",
                target=100,
                days=3,
                starts_on=first,
                due_on=due,
                created_by=leader,
            )
            goals += 2
    if sessions or goals:
        stdout.write(f"Reports: {sessions} past sessions with attendance, {goals} charter goals.")
