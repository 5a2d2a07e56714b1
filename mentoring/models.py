"""Mentoring in a community: mentor profiles, requests for a mentor, pairings and what a pair shares."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import District
from communities.models import Community, FocusArea

MAX_CAPACITY = 10
MAX_YEARS = 60


class GradeBand(models.TextChoices):
    PREK = "prek", "Pre-K"
    K2 = "k2", "K-2"
    G35 = "3-5", "3-5"
    G68 = "6-8", "6-8"
    G912 = "9-12", "9-12"


class Role(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    COACH = "coach", "Instructional coach"
    PRINCIPAL = "principal", "Principal"
    DISTRICT_LEADER = "district_leader", "District leader"


class MentorProfile(models.Model):
    """A member who offers to mentor in one community, and how many mentees they can take at once."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="mentor_profiles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profiles")
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="mentor_profiles")
    grade_bands = models.JSONField("grade bands", default=list, blank=True)
    subjects = models.CharField(
        max_length=200, blank=True, help_text="Separate them with commas, for example “Math, Science”."
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TEACHER)
    years = models.PositiveSmallIntegerField(
        "years of experience", default=0, validators=[MaxValueValidator(MAX_YEARS)]
    )
    capacity = models.PositiveSmallIntegerField(
        "mentees at once",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=f"From 1 to {MAX_CAPACITY}.",
    )
    availability = models.CharField(
        max_length=200, blank=True, help_text="For example “Tuesday afternoons, video calls”."
    )
    is_active = models.BooleanField("taking mentees", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="one_mentor_profile_per_community"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_CAPACITY), name="mentor_capacity_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.user} mentors in {self.community}"

    @property
    def subject_list(self):
        return [s.strip() for s in self.subjects.split(",") if s.strip()]

    @property
    def grade_band_labels(self):
        labels = dict(GradeBand.choices)
        return [labels[b] for b in self.grade_bands if b in labels]


class MentorRequest(models.Model):
    """A member (or a district leader for their district) asking for a mentor."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a mentor"
        MATCHED = "matched", "Matched"
        WITHDRAWN = "withdrawn", "Withdrawn"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="mentor_requests")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_requests")
    goals = models.TextField("what you want to work on", max_length=2000)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="mentor_requests")
    grade_band = models.CharField(max_length=10, choices=GradeBand.choices, blank=True)
    role = models.CharField("your role", max_length=20, choices=Role.choices, default=Role.TEACHER)
    subject = models.CharField(max_length=80, blank=True)
    other_district_welcome = models.BooleanField("a mentor from another district is welcome", default=True)
    # Set when a district leader asks on behalf of their district (a district-to-district pairing).
    for_district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"{self.mentee} asks for a mentor in {self.community}"

    def get_absolute_url(self):
        return reverse("mentoring:request", kwargs={"slug": self.community.slug, "request_id": self.pk})


class Pairing(models.Model):
    """A mentor and a mentee: asked, then active (or declined), then completed or ended."""

    class Status(models.TextChoices):
        ASKED = "asked", "Waiting for the mentor"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"
        ENDED = "ended", "Ended early"

    class Cadence(models.IntegerChoices):
        WEEKLY = 7, "Every week"
        FORTNIGHTLY = 14, "Every two weeks"
        MONTHLY = 28, "Every four weeks"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="pairings")
    request = models.ForeignKey(MentorRequest, on_delete=models.CASCADE, related_name="pairings")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairings_as_mentor")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairings_as_mentee")
    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="pairings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasons = models.CharField(max_length=300, blank=True)
    response_note = models.TextField("note", max_length=1000, blank=True)
    cadence_days = models.PositiveSmallIntegerField(choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_note = models.TextField("note to the leaders", max_length=1000, blank=True)
    last_check_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A request waits on one mentor at a time and ends in at most one live pairing.
            models.UniqueConstraint(
                fields=["request"], condition=Q(status__in=["asked", "active"]), name="one_live_pairing_per_request"
            ),
            models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="pairing_mentor_is_not_mentee"),
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"{self.mentor} mentors {self.mentee}"

    def get_absolute_url(self):
        return reverse("mentoring:pair", kwargs={"slug": self.community.slug, "pair_id": self.pk})

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_over(self):
        return self.status in (self.Status.COMPLETED, self.Status.ENDED, self.Status.DECLINED)

    def other(self, user):
        return self.mentee if user.pk == self.mentor_id else self.mentor


def _attachment_name(instance, filename):
    return f"mentoring/{instance.pairing.community_id}/{instance.pairing_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Message(models.Model):
    """A message in a pair's private space (Markdown, and optionally one file)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000, blank=True)
    body_html = models.TextField(blank=True)
    file = models.FileField(upload_to=_attachment_name, max_length=250, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A pair member reported it: only then may the community's moderators read it.
    reported_at = models.DateTimeField(null=True, blank=True)
    report_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["pairing", "created_at"])]

    def __str__(self):
        return f"Message {self.pk} in pairing {self.pairing_id}"


class Goal(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=200)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text


class CheckIn(models.Model):
    """One period of a pairing's agreed cadence: due, then done by either person (with the minutes spent)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="check_ins")
    period = models.PositiveIntegerField(help_text="How many cadence periods after the start.")
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(600)])
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["pairing", "period"], name="one_check_in_per_period")]
        indexes = [models.Index(fields=["done_at", "due_at"])]

    def __str__(self):
        return f"Check-in {self.period} of pairing {self.pairing_id}"
