from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.text import render_markdown


class DigestRun(models.Model):
    """One send of the digest for a period (``2027-06`` or ``2027-W23``); its counts come from the deliveries."""

    period = models.CharField(max_length=10, unique=True)
    kind = models.CharField(max_length=10, default="monthly")
    started_at = models.DateTimeField(default=timezone.now)
    # When the run last handed its members to batch tasks (a resumed run fans out again).
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    num_members = models.PositiveIntegerField("members", default=0)
    sent_count = models.PositiveIntegerField("sent", default=0)
    skipped_count = models.PositiveIntegerField("skipped", default=0)
    failed_count = models.PositiveIntegerField("failed", default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Digest {self.period}"


class DigestDelivery(models.Model):
    """A member's digest for one period: claimed before sending, so nobody gets it twice.

    ``pending`` rows are created for a batch; a worker turns one into ``claimed``
    (row lock, skip locked), sends, and marks it ``sent``. A claim older than
    DIGEST_CLAIM_TIMEOUT belongs to a dead worker and may be claimed again; a
    failed send with ``next_attempt_at`` set is retried then; ``sent`` never changes.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Claimed (sending)"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (nothing to say)"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries")
    period = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The worker (host:pid:token) holding the claim; see core.workers.
    claimed_by = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set on a failure worth retrying; null on a permanent one (no address, 5xx).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="one_digest_per_member_and_period"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="sent_digest_has_time"),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.period} for {self.user_id}: {self.status}"


class CommunityNote(models.Model):
    """A short note from a community's moderators, printed in that month's digest."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="digest_notes")
    period = models.CharField(max_length=10, help_text="The month of the digest, YYYY-MM.")
    body = models.TextField(max_length=2000)
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community", "-period"]
        constraints = [models.UniqueConstraint(fields=["community", "period"], name="one_note_per_community_and_month")]

    def __str__(self):
        return f"Note for {self.community} ({self.period})"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)
