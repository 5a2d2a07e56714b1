"""Demo mentoring in the K-8 community: two mentors, an active pair with messages, goals and a check-in due,
and a request waiting for a mentor (so the leaders' page has something on it). Idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from core.text import render_markdown
from mentoring.models import CheckIn, Goal, MentorProfile, MentorRequest, Message, Pairing
from mentoring.selectors import suggestions_for

SLUG = "computational-thinking-k8"


def _profile(community, user, **fields):
    profile, _ = MentorProfile.objects.get_or_create(community=community, user=user, defaults=fields)
    return profile


@transaction.atomic
def seed(*, stdout):
    community = Community.objects.filter(slug=SLUG).first()
    people = {u.username: u for u in User.objects.filter(username__in=["teacher", "peer", "moderator", "leader"])}
    if community is None or len(people) < 4 or MentorProfile.objects.filter(community=community).exists():
        return
    areas = list(community.focus_areas.all())
    morgan = _profile(
        community, people["moderator"], grade_bands=["k2", "3-5"], subjects="Math, Science", role="coach",
        years=12, capacity=3, availability="Tuesday afternoons, video calls",
    )  # fmt: skip
    morgan.focus_areas.set(areas[:2])
    tess = _profile(
        community, people["teacher"], grade_bands=["6-8"], subjects="Computer science", role="teacher", years=6,
        capacity=2, availability="After school on Thursdays",
    )  # fmt: skip
    tess.focus_areas.set(areas[-1:])

    pat = people["peer"]
    request = MentorRequest.objects.create(
        community=community, mentee=pat, goals="Start unplugged coding activities with my K-2 class.",
        grade_band="k2", role="teacher", subject="Math", status=MentorRequest.Status.MATCHED,
    )  # fmt: skip
    request.focus_areas.set(areas[:1])
    started = timezone.now() - timedelta(days=16)
    pairing = Pairing.objects.create(
        community=community, request=request, mentor=morgan.user, mentee=pat, profile=morgan,
        status=Pairing.Status.ACTIVE, started_at=started, cadence_days=Pairing.Cadence.FORTNIGHTLY,
        reasons=next((s.reasons_text for s in suggestions_for(request=request) if s.profile.pk == morgan.pk), ""),
        response_note="Happy to help. Let's meet every two weeks.",
    )  # fmt: skip
    for author, body in [
        (pat, "Hi Morgan! I'd love ideas for a first **unplugged** lesson."),
        (morgan.user, "Try *robot directions* on a grid taped to the floor. I'll share my plan."),
    ]:
        Message.objects.create(pairing=pairing, author=author, body=body, body_html=render_markdown(body))
    Goal.objects.create(pairing=pairing, text="Teach one unplugged lesson", done_at=timezone.now())
    Goal.objects.create(pairing=pairing, text="Try a block-based coding app")
    CheckIn.objects.create(
        pairing=pairing, period=1, due_at=started + timedelta(days=14), done_at=started + timedelta(days=7),
        done_by=pat, minutes=40,
    )  # fmt: skip
    CheckIn.objects.create(pairing=pairing, period=2, due_at=started + timedelta(days=28))
    pairing.last_check_in_at = started + timedelta(days=7)
    pairing.save(update_fields=["last_check_in_at"])

    waiting = Membership.objects.filter(community=community).exclude(user__in=people.values()).first()
    if waiting is not None:
        MentorRequest.objects.create(
            community=community, mentee=waiting.user, goals="Bring computational thinking into science labs.",
            grade_band="6-8", role="teacher", subject="Science",
        )  # fmt: skip
    stdout.write("Mentoring: 2 mentors, 1 active pair, 1 request waiting.")
