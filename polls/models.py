"""Formative polls: a question, its choices, ballots and rounds of a pulse series.

Anonymity is a storage property, not a display rule. For an anonymous poll
``Participation`` records *that* a member answered (so nobody answers twice) and
``Ballot``/``BallotChoice`` record *what* was answered, with no user reference,
no timestamp and random UUID keys. They are never written together: the answer waits
encrypted (``SealedAnswer``) until the poll closes, and then every answer is written
in one transaction in random order, so not even PostgreSQL's system columns (``xmin``,
``ctid``) pair a person with an answer. The cost: an anonymous answer cannot be
changed once cast.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.links import kept_reverse
from core.text import render_markdown

SCALE_LABELS = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)
MAX_CHOICES = 12
TEXT_ANSWER_MAX_LENGTH = 280


class PollSeries(models.Model):
    """The rounds of a repeated poll (a pulse): same question and choices, asked again over time."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="poll_series")
    created_at = models.DateTimeField(default=timezone.now)
    # A series that repeats by itself: an RRULE (FREQ=MONTHLY;BYMONTHDAY=n or FREQ=WEEKLY;INTERVAL=n)
    # expanded from ``repeat_anchor``; the beat task polls.open_due_rounds opens the round due at
    # ``next_round_at`` and closes the one before. Empty rule: rounds only by hand.
    repeat_rule = models.CharField(max_length=100, blank=True)
    repeat_anchor = models.DateTimeField(null=True, blank=True)
    next_round_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "poll series"
        indexes = [models.Index(fields=["next_round_at"], name="poll_series_next_round")]

    def __str__(self):
        return f"Poll series {self.pk}"


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        SCALE = "scale", "Agreement scale (1 to 5)"
        TEXT = "text", "Short text answer"

    class ResultsVisibility(models.TextChoices):
        AFTER_VOTE = "after_vote", "To members once they have answered"
        AFTER_CLOSE = "after_close", "When the poll closes"
        ALWAYS = "always", "Always, to everyone who can see the poll"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    description = models.TextField("more detail", max_length=4000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        "most choices a member may pick", null=True, blank=True, help_text="Multiple choice only; empty means no limit."
    )
    focus_area = models.ForeignKey(
        "communities.FocusArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="polls"
    )
    is_anonymous = models.BooleanField("anonymous", default=False)
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    results_visibility = models.CharField(
        "show results", max_length=12, choices=ResultsVisibility.choices, default=ResultsVisibility.AFTER_VOTE
    )
    # A poll may be embedded in a discussion thread and answered there (polls.panels.thread_panel).
    thread = models.ForeignKey(
        "discussions.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="polls"
    )
    series = models.ForeignKey(PollSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls")
    round = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_polls"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Filled by a PostgreSQL trigger (question, description) for site search; NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # When the community's members were told it opened (notifications); set once, so nobody is told twice.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="poll_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(max_choices__isnull=True) | Q(max_choices__gte=1), name="poll_max_choices_positive"
            ),
            models.UniqueConstraint(fields=["series", "round"], name="one_poll_per_round_of_a_series"),
        ]
        indexes = [
            models.Index(fields=["community", "opens_at"]),
            models.Index(fields=["community", "closes_at"]),
            models.Index(fields=["opens_at"], condition=Q(announced_at__isnull=True), name="poll_not_announced"),
        ]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return kept_reverse("polls:detail", kwargs={"slug": self.community.slug, "poll_id": self.pk})

    def status_at(self, now):
        if self.opens_at > now:
            return self.Status.SCHEDULED
        if self.closes_at is not None and self.closes_at <= now:
            return self.Status.CLOSED
        return self.Status.OPEN

    @property
    def status(self):
        return self.status_at(timezone.now())

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    @property
    def is_scheduled(self):
        return self.status == self.Status.SCHEDULED

    @property
    def has_choices(self):
        return self.kind != self.Kind.TEXT

    @property
    def is_multiple(self):
        return self.kind == self.Kind.MULTIPLE

    @property
    def is_scale(self):
        return self.kind == self.Kind.SCALE

    @property
    def is_text(self):
        return self.kind == self.Kind.TEXT

    @property
    def ballots_can_change(self):
        return not self.is_anonymous


def open_q(now, prefix=""):
    """A Q for polls open at ``now``."""
    return Q(**{f"{prefix}opens_at__lte": now}) & (
        Q(**{f"{prefix}closes_at__isnull": True}) | Q(**{f"{prefix}closes_at__gt": now})
    )


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="choice_position_unique_in_poll"),
        ]

    def __str__(self):
        return self.label


class Participation(models.Model):
    """That ``user`` answered ``poll``: one per person, enforced by the database.

    Deliberately without a timestamp, so it cannot be lined up with anonymous ballots.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_participations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="one_participation_per_person")]

    def __str__(self):
        return f"{self.user} answered {self.poll}"


class Ballot(models.Model):
    """What one member answered. ``voter`` and ``updated_at`` stay empty for anonymous polls."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="poll_ballots"
    )
    text = models.CharField("answer", max_length=TEXT_ANSWER_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="one_ballot_per_member")]

    def __str__(self):
        return f"Ballot on {self.poll}"


class SealedAnswer(models.Model):
    """An anonymous answer waiting, encrypted, for its poll to close (polls/sealing.py).

    No voter, no time, a random key. When the poll closes, services.mix_sealed_answers
    opens them all and writes them as ballots in random order, in one transaction.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="sealed_answers")
    sealed = models.TextField()

    def __str__(self):
        return f"Sealed answer on {self.poll_id}"


class BallotChoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="picks")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="picks")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "choice"], name="choice_once_per_ballot")]

    def __str__(self):
        return f"{self.choice} on {self.ballot_id}"


def results_visible(poll, access, *, answered, now=None):
    """Whether ``access`` may see ``poll``'s results now.

    Leaders (who run polls) always may; others follow the poll's setting, and
    everyone who may see the poll sees results once it has closed.
    """
    if access.may_schedule:
        return True
    status = poll.status_at(now or timezone.now())
    if status == Poll.Status.SCHEDULED:
        return False
    if poll.results_visibility == Poll.ResultsVisibility.ALWAYS or status == Poll.Status.CLOSED:
        return True
    return poll.results_visibility == Poll.ResultsVisibility.AFTER_VOTE and answered
