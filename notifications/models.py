"""Notifications in the site (the bell) and each person's choice of email per kind.

One ``Notification`` row per person and event. ``event_key`` names the event (a task run
twice inserts nothing new); a grouped kind (``group_key``, "3 people found your reply
helpful") keeps one unread row per group and counts distinct actors in ``actor_ids``.
The email side: ``email_due_at`` says when the row should go out (None: never),
``email_group`` which rows share one email, ``emailed_at`` that it was handled.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from communities.models import Community
from notifications import kinds

SENTENCES = {
    kinds.MENTION: "{actor} mentioned you in “{subject}”",
    kinds.REPLY: "{actor} replied to your post in “{subject}”",
    kinds.FOLLOWED_REPLY: "{actor} replied in “{subject}”, a thread you follow",
    kinds.ANSWER_ACCEPTED: "{actor} accepted your answer in “{subject}”",
    kinds.HELPFUL: "{actor} found your reply in “{subject}” helpful",
    kinds.POST_HIDDEN: "A moderator hid your post in “{subject}”",
    kinds.JOIN_DECIDED: "Your request to join {subject} was {detail}",
    kinds.RESOURCE_DECIDED: "Your resource “{subject}” was {detail}",
    kinds.INVITATION_ACCEPTED: "{actor} accepted your invitation to {community}",
    kinds.ACTIVITY_CHANGED: "“{subject}”, which you answered, was moved",
    kinds.ACTIVITY_CANCELLED: "“{subject}”, which you answered, was cancelled",
    kinds.POLL_OPENED: "A poll opened: “{subject}”",
    kinds.RESPONSIBILITY_ASSIGNED: "Your district was given a responsibility: {subject}",
    kinds.RESPONSIBILITY_DUE_SOON: "Due soon: {subject}",
    kinds.RESPONSIBILITY_OVERDUE: "Overdue: {subject}",
    kinds.MOD_FLAG: "{actor} flagged a post in “{subject}”",
    kinds.MOD_SUBMISSION: "{actor} submitted “{subject}” for review",
    kinds.MOD_JOIN_REQUEST: "{actor} asks to join {community}",
    kinds.MOD_BROKEN_LINK: "The link of “{subject}” is broken",
}
GROUPED_SENTENCES = {
    kinds.HELPFUL: "{count} people found your reply in “{subject}” helpful",
    kinds.MOD_FLAG: "{count} flags on a post in “{subject}”",
}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=kinds.KIND_CHOICES)
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Distinct people behind a grouped notification; count = len(actor_ids) (or events without actors).
    actor_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=1)
    # What it is about: the object (checked when followed, so a deleted one gets a clear page) and its exact URL.
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.CharField(max_length=500)
    subject = models.CharField(max_length=300, blank=True)  # the thing's title, as it was
    detail = models.CharField(max_length=500, blank=True)  # a moderator's reason, a decision, a new date
    event_key = models.CharField(max_length=120)
    group_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_group = models.CharField(max_length=120, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="one_notification_per_event"),
            models.UniqueConstraint(
                fields=["recipient", "group_key"],
                condition=Q(read_at__isnull=True) & ~Q(group_key=""),
                name="one_unread_notification_per_group",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recipient_newest"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["email_due_at"],
                condition=Q(emailed_at__isnull=True, email_due_at__isnull=False),
                name="notification_email_due",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_unread(self):
        return self.read_at is None

    @property
    def sentence(self):
        """What happened, in one line ("3 people found your reply in “Loops” helpful")."""
        grouped = self.count > 1 and self.kind in GROUPED_SENTENCES
        template = GROUPED_SENTENCES[self.kind] if grouped else SENTENCES.get(self.kind, "{subject}")
        return template.format(
            actor=self.actor.name if self.actor_id and self.actor else "Someone",
            subject=self.subject,
            community=self.community.name if self.community_id else "",
            detail=self.detail,
            count=self.count,
        )

    @property
    def kind_label(self):
        return kinds.KINDS[self.kind].label if self.kind in kinds.KINDS else self.kind


class Preference(models.Model):
    """A person's choice for one kind, where it differs from the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices")
    kind = models.CharField(max_length=32, choices=kinds.KIND_CHOICES)
    delivery = models.CharField(max_length=12, choices=kinds.CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.delivery}"
