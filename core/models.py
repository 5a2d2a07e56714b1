"""Rows core keeps for every app: the mail outbox (one row per email and recipient, and the
addresses we no longer write to), and Celery tasks waiting for the broker.

core sits below every app, so these rows name people by address and the thing an email
is about by a label and an id (``ref_type``/``ref_id``), never by a foreign key upward.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailDelivery(models.Model):
    """One email to one recipient: ``pending`` -> ``sending`` (claimed) -> ``sent`` or ``failed``.

    ``key`` names the occasion and recipient (``reply:post=12:to=7``), unique, so a task that
    runs twice finds the row it made and never sends it again. A worker claims a row before
    sending (``sending``, with its identity) and marks it ``sent`` as the first thing after the
    SMTP server accepted it; a failure worth retrying keeps ``next_attempt_at``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        SUPPRESSED = "suppressed", "Not sent: the address bounced or complained"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    to = models.EmailField(max_length=254)
    ref_type = models.CharField(max_length=40, blank=True)
    ref_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # The rendered message, kept until it is sent (it may hold a one-time link).
    subject = models.CharField(max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "email deliveries"
        constraints = [
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="sent_email_has_time"),
        ]
        indexes = [
            models.Index(fields=["ref_type", "ref_id", "-created_at"], name="email_delivery_ref"),
            models.Index(fields=["status", "next_attempt_at"], name="email_delivery_due"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to}: {self.status}"


class Suppression(models.Model):
    """An address that bounced or complained: the mail helper sends it nothing more."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"
        REJECTED = "rejected", "Rejected by the email service"

    address = models.EmailField(max_length=254, unique=True, help_text="Stored in lower case.")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.TextField(blank=True)
    source = models.CharField(max_length=40, blank=True, help_text="The email service that told us.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.address} ({self.reason})"

    def save(self, *args, **kwargs):
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class PendingTask(models.Model):
    """A Celery task that could not reach the broker; core/outbox.py sends it once the broker is back."""

    task_id = models.CharField(max_length=64, unique=True, default=uuid.uuid4)
    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    countdown = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.name}{tuple(self.args)} waiting since {self.created_at:%Y-%m-%d %H:%M}"
