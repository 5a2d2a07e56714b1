"""Live chats in the education-chat format: a chat on an "online chat" activity, its prompts
(Q1…Qn, each posted at its offset from the start), the messages of the room and who took part.

Every message of a room gets the next number of its chat (``seq``) under a lock on the chat
row, so everyone sees one order and a client can tell whether it missed something.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from calendar_app.models import Activity
from communities.models import Community
from discussions.models import Thread

DEFAULT_INTERVAL = timedelta(minutes=10)


class Chat(models.Model):
    class State(models.TextChoices):
        UPCOMING = "upcoming", "Opens soon"
        LIVE = "live", "Live"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Ended"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="chat")
    # The activity's community, kept here so rooms and archives are filtered without a join.
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="chats")
    topic = models.CharField(max_length=200, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="hosted_chats"
    )
    cohosts = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cohosted_chats")
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Set when a host ends the chat early.")
    pinned = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["community", "closed_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("chats:room", kwargs={"slug": self.community.slug, "pk": self.activity_id})

    @property
    def title(self):
        return self.topic or self.activity.title

    @property
    def opens_at(self):
        return self.activity.start

    @property
    def closes_at(self):
        end = self.activity.end
        return min(end, self.closed_at) if self.closed_at else end

    def state(self, now=None):
        now = now or timezone.now()
        if now >= self.closes_at:
            return self.State.CLOSED
        if now < self.opens_at:
            return self.State.UPCOMING
        return self.State.PAUSED if self.paused_at else self.State.LIVE


class Prompt(models.Model):
    """Qn: posted into the room ``offset`` after the start, by the server (or at once when unscheduled)."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="prompts")
    number = models.PositiveSmallIntegerField()
    body = models.CharField(max_length=1000)
    body_html = models.TextField(blank=True, editable=False)
    offset = models.DurationField()
    posted_at = models.DateTimeField(null=True, blank=True)
    unscheduled = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "number"], name="one_prompt_per_number"),
            models.CheckConstraint(condition=Q(offset__gte=timedelta(0)), name="prompt_not_before_start"),
        ]
        indexes = [models.Index(fields=["posted_at"], condition=Q(posted_at__isnull=True), name="prompt_unposted")]

    def __str__(self):
        return f"Q{self.number}. {self.body[:60]}"

    @property
    def label(self):
        return f"Q{self.number}"

    @property
    def answer_label(self):
        return f"A{self.number}"

    @property
    def minute(self):
        return int(self.offset.total_seconds() // 60)

    def due_at(self):
        return self.chat.opens_at + self.offset


class Message(models.Model):
    class Kind(models.TextChoices):
        PROMPT = "prompt", "Prompt"
        ANSWER = "answer", "Answer"
        REPLY = "reply", "Reply"

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=6, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_messages"
    )
    # The prompt itself (kind prompt), the prompt answered, or the prompt of the answer replied to.
    prompt = models.ForeignKey(Prompt, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    helpful_count = models.PositiveIntegerField(default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["chat", "seq"], name="one_message_per_seq")]

    def __str__(self):
        return f"{self.label or self.kind} #{self.seq}"

    @property
    def label(self):
        if self.prompt_id is None:
            return ""
        return self.prompt.label if self.kind == self.Kind.PROMPT else self.prompt.answer_label

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def minute(self):
        """Minutes since the chat opened: the room shows times this way, the same in every time zone."""
        return max(0, int((self.created_at - self.chat.opens_at).total_seconds() // 60))


class HelpfulMark(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="helpful_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_helpful_mark_per_person")]

    def __str__(self):
        return f"{self.user} found #{self.message_id} helpful"


class Participant(models.Model):
    """Someone who was in the room while it was live: the attendance a PD record can read.

    ``sockets`` counts their open connections; with ``last_seen_at`` (refreshed while a
    socket stays open) it says who is here now.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations")
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    sockets = models.IntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chat", "user"], name="one_participant_per_chat")]
        indexes = [models.Index(fields=["user", "first_seen_at"])]

    def __str__(self):
        return f"{self.user} in {self.chat}"
