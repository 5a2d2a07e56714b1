"""Certificates of professional learning and a community's charter goals."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communities.models import Community


def new_certificate_code():
    # 128 bits: nobody finds a certificate by guessing.
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """A PD certificate as issued: what it says is kept, so verifying shows exactly what was printed."""

    code = models.CharField(max_length=40, unique=True, default=new_certificate_code, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="certificates")
    holder_name = models.CharField(max_length=160)
    community_name = models.CharField(max_length=120)
    first_day = models.DateField()
    last_day = models.DateField()
    minutes = models.PositiveIntegerField(default=0)
    # [{"title", "date" (ISO), "minutes"}] as printed.
    sessions = models.JSONField(default=list)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="certificate_period_order")
        ]

    def __str__(self):
        return f"Certificate for {self.holder_name}, {self.community_name}"

    def get_absolute_url(self):
        return reverse("reports:verify", kwargs={"code": self.code})

    @property
    def hours(self):
        return round(self.minutes / 60, 2)

    @property
    def session_rows(self):
        return [{**row, "hours": round(row["minutes"] / 60, 2)} for row in self.sessions]


class CharterGoal(models.Model):
    """A practice goal a community states, measured from its own data."""

    class Metric(models.TextChoices):
        APPROVED_RESOURCES = "approved_resources", "Approved resources (count)"
        ANSWERED_WITHIN = "answered_within", "Questions answered within N days (percent)"
        PULSE_AVERAGE = "pulse_average", "Pulse average (1 to 5)"
        DISTRICTS_HOSTING = "districts_hosting", "Districts that hosted at least once (percent)"

    MAX_PER_COMMUNITY = 3

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="charter_goals")
    title = models.CharField("the goal in your words", max_length=200)
    metric = models.CharField("measured by", max_length=24, choices=Metric.choices)
    target = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0.01)])
    # For "answered within N days".
    days = models.PositiveSmallIntegerField("within how many days", null=True, blank=True)
    starts_on = models.DateField("counting from")
    due_on = models.DateField("by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="goal_target_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")), name="goal_due_after_start"),
        ]

    def __str__(self):
        return self.title
