"""Personal access tokens for the REST API, and webhooks that communities' managers register."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from communities.models import Community


class AccessToken(models.Model):
    """A personal access token. Only a SHA-256 of the secret is kept; the secret is shown once."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so a person can tell their tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def may_write(self):
        return self.scope == self.Scope.WRITE

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Webhook(models.Model):
    """An HTTPS address that hears about events in one community (registered by its managers)."""

    class Event(models.TextChoices):
        THREAD_CREATED = "thread.created", "New thread"
        REPLY_CREATED = "reply.created", "New reply"
        RESOURCE_APPROVED = "resource.approved", "Resource approved"
        ACTIVITY_CREATED = "activity.created", "Activity created"
        ACTIVITY_CHANGED = "activity.changed", "Activity changed"
        POLL_CLOSED = "poll.closed", "Poll closed"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("address", max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.url} for {self.community}"


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook; unique per event, so a task run twice sends once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=Webhook.Event.choices)
    event_id = models.CharField(max_length=80)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], name="one_delivery_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} to {self.webhook_id} ({self.status})"


class PollClosing(models.Model):
    """A poll's closing (at ``closes_at``) that was announced to webhooks: one row per closing, so a leader's
    close and the sweep of polls whose time passed (api.announce_closed_polls) announce it once between them.
    A poll reopened and closed again has a new closing, and a new event."""

    poll = models.ForeignKey("polls.Poll", on_delete=models.CASCADE, related_name="+")
    closes_at = models.DateTimeField()
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "closes_at"], name="one_announcement_per_closing")]

    def __str__(self):
        return f"poll {self.poll_id} closed at {self.closes_at:%Y-%m-%d %H:%M}"


class LmsPlatform(models.Model):
    """What this site adds to a django-lti registration of a district's LMS: the community its links
    open by default, and the platform's public keys when they are pasted rather than fetched."""

    registration = models.OneToOneField(
        "lti_tool.LtiRegistration", on_delete=models.CASCADE, related_name="cop_platform"
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Opened by a launch whose link names no community.",
    )
    jwks = models.JSONField(
        "platform keys (JWKS)",
        default=dict,
        blank=True,
        help_text="The platform's public key set; leave empty to read it from the registration's keyset URL.",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "LMS platform"

    def __str__(self):
        return str(self.registration)
