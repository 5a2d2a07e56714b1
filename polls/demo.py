"""Demo polls for every demo community: open, scheduled, closed, anonymous and a six-round pulse. Idempotent."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from communities.demo import COMMUNITIES
from communities.models import Community, Membership
from polls.models import SCALE_LABELS, Ballot, BallotChoice, Choice, Participation, Poll, PollSeries

PULSE_QUESTION = "I feel confident trying new practices from this community in my work."

POLLS = [
    # (question, kind, choices, anonymous, state, results visibility)
    (
        "Which format should next month's meeting use?",
        Poll.Kind.SINGLE,
        ["Online chat", "Site visit", "Webinar with a guest"],
        False,
        "open",
        Poll.ResultsVisibility.AFTER_VOTE,
    ),
    (
        "Which topics should we dig into next term? Pick up to two.",
        Poll.Kind.MULTIPLE,
        ["Assessment", "Family engagement", "Co-teaching", "Student voice"],
        False,
        "closed",
        Poll.ResultsVisibility.ALWAYS,
    ),
    (
        "How manageable is your workload this month?",
        Poll.Kind.SCALE,
        [],
        True,
        "open",
        Poll.ResultsVisibility.AFTER_VOTE,
    ),
    (
        "What is one thing this community could do better?",
        Poll.Kind.TEXT,
        [],
        True,
        "closed",
        Poll.ResultsVisibility.AFTER_CLOSE,
    ),
    (
        "Will you host a site visit in the spring?",
        Poll.Kind.SINGLE,
        ["Yes", "Maybe", "Not this year"],
        False,
        "scheduled",
        Poll.ResultsVisibility.AFTER_CLOSE,
    ),
]
TEXT_ANSWERS = [
    "More time to share lessons that flopped.",
    "Shorter meetings, more often.",
    "Pair new members with a mentor.",
    "Record the webinars for people who coach after school.",
]


def _labels(kind, choices):
    if kind == Poll.Kind.SCALE:
        return [f"{n} · {label}" for n, label in enumerate(SCALE_LABELS, start=1)]
    return choices


def _make_poll(community, creator, question, kind, choices, anonymous, opens_at, closes_at, visibility, **extra):
    poll = Poll.objects.create(
        community=community,
        question=question,
        kind=kind,
        is_anonymous=anonymous,
        max_choices=2 if kind == Poll.Kind.MULTIPLE else None,
        opens_at=opens_at,
        closes_at=closes_at,
        results_visibility=visibility,
        created_by=creator,
        **extra,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, label=label, position=i) for i, label in enumerate(_labels(kind, choices))
    )
    return poll


def _vote(poll, voters, rng, lean=0.0):
    """Ballots from ``voters``; ``lean`` pushes scale answers up (for the pulse's trend)."""
    choices = list(poll.choices.all())
    for user in voters:
        Participation.objects.create(poll=poll, user=user)
        ballot = Ballot.objects.create(
            poll=poll,
            voter=None if poll.is_anonymous else user,
            updated_at=None if poll.is_anonymous else poll.opens_at + timedelta(hours=rng.randint(1, 48)),
            text=rng.choice(TEXT_ANSWERS) if poll.is_text else "",
        )
        if poll.is_text:
            continue
        if poll.is_scale:
            index = min(4, max(0, round(rng.gauss(1.5 + lean, 0.9))))
            picked = [choices[index]]
        elif poll.is_multiple:
            picked = rng.sample(choices, rng.randint(1, 2))
        else:
            picked = [rng.choice(choices)]
        BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, choice=c) for c in picked)


@transaction.atomic
def seed(*, stdout):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for spec in COMMUNITIES:
        community = Community.objects.filter(slug=spec["slug"]).first()
        if community is None:
            continue
        rng = random.Random(community.slug)
        members = [m.user for m in Membership.objects.filter(community=community).select_related("user")]
        leaders = [
            m.user for m in Membership.objects.filter(community=community, is_moderator=True).select_related("user")
        ]
        creator = leaders[0] if leaders else None
        demo_voters = [u for u in members if u.username not in ("teacher", "moderator")]
        existing = set(Poll.objects.filter(community=community).values_list("question", flat=True))
        for question, kind, choices, anonymous, state, visibility in POLLS:
            if question in existing:
                continue
            if state == "open":
                opens, closes = now - timedelta(days=2), now + timedelta(days=12)
            elif state == "closed":
                opens, closes = now - timedelta(days=30), now - timedelta(days=16)
            else:
                opens, closes = now + timedelta(days=5), now + timedelta(days=19)
            poll = _make_poll(community, creator, question, kind, choices, anonymous, opens, closes, visibility)
            if state != "scheduled":
                _vote(poll, demo_voters, rng)
        if PULSE_QUESTION not in existing:
            series = PollSeries.objects.create(community=community)
            for number in range(1, 7):
                opens = now - timedelta(days=30 * (6 - number) + 3)
                closes = now + timedelta(days=11) if number == 6 else opens + timedelta(days=14)
                poll = _make_poll(
                    community,
                    creator,
                    PULSE_QUESTION,
                    Poll.Kind.SCALE,
                    [],
                    False,
                    opens,
                    closes,
                    Poll.ResultsVisibility.AFTER_VOTE,
                    series=series,
                    round=number,
                )
                _vote(poll, demo_voters, rng, lean=0.35 * number)
