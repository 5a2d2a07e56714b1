"""Demo digest notes: each demo community has a moderators' note for this month and the next digest.

Idempotent (one note per community and month). Preview any demo member's digest at /digests/preview/.
"""

from django.conf import settings

from accounts.models import User
from communities.demo import COMMUNITIES
from communities.models import Community
from digests.models import CommunityNote
from digests.periods import current_period, next_monthly_period

NOTES = {
    "computational-thinking-k8": "Welcome back! Our **online chat** this month is about unplugged sorting games. "
    "Bring one activity that worked with your class.",
    "digital-learning-leaders": "Thank you to every district that answered last month's pulse poll. "
    "This month: device-refresh plans. Please check your district's responsibilities.",
    "site-leaders-circle": "A quiet month for the circle: read the two new resources before our site visit.",
}


def seed(*, stdout):
    author = User.objects.filter(username="moderator").first()
    periods = {
        current_period().key,
        next_monthly_period(day_of_month=settings.DIGEST_DAY_OF_MONTH, hour=settings.DIGEST_HOUR_UTC).key,
    }
    created = 0
    for spec in COMMUNITIES:
        community = Community.objects.filter(slug=spec["slug"]).first()
        body = NOTES.get(spec["slug"])
        if community is None or body is None:
            continue
        for period in periods:
            _note, was_created = CommunityNote.objects.get_or_create(
                community=community, period=period, defaults={"body": body, "author": author}
            )
            created += was_created
    stdout.write(f"digests: {created} moderators' note(s) added")
