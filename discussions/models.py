"""Threads, threaded posts, reactions, accepted answers, following, flags and the moderation log.

A thread's opening text lives on the Thread itself (title + body); replies are Posts.
Each Post knows its thread, its parent (None for a reply to the thread), its top-level
ancestor (``root``, None for a top-level post) and its ``depth``, so a page of top-level
replies and all their descendants loads in two queries and the tree is built in Python.

Full-text search: ``search_vector`` columns are filled by PostgreSQL triggers (title
weighted A over body B) and indexed with GIN; see migration 0002. They stay NULL on SQLite.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Community, FocusArea

TITLE_MAX = 200
BODY_MAX = 20_000
REASON_MAX = 500
# Replies nest visibly up to this depth; deeper ones sit at the cap with "in reply to".
MAX_VISIBLE_DEPTH = 4


class Thread(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        SUCCESS = "success", "Success"
        CHALLENGE = "challenge", "Challenge"
        LESSON = "lesson", "Lesson learned"
        IDEA = "idea", "Idea or discussion"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="threads")
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    reply_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    accepted_post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_pinned = models.BooleanField("pinned", default=False)
    is_locked = models.BooleanField("locked", default=False)
    is_hidden = models.BooleanField("hidden", default=False)
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # Names the form submission that made it (services.submission_key): a repeated submit finds it.
    submission_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], condition=~Q(submission_key=""), name="one_thread_per_submission"
            )
        ]
        indexes = [
            models.Index(fields=["community", "-last_activity_at"], name="thread_community_activity"),
            # The list's sorts, in full, so a page of 25 reads 25 index entries, not the whole community.
            models.Index(
                fields=["community", "-is_pinned", "-last_activity_at", "-id"], name="thread_community_latest"
            ),
            models.Index(
                fields=["community", "-helpful_count", "-last_activity_at", "-id"], name="thread_community_helpful"
            ),
            models.Index(fields=["community", "-created_at"], name="thread_community_created"),
            models.Index(fields=["community", "kind"], name="thread_community_kind"),
            # The health dashboard: each member's threads in a community (last active, active by month).
            models.Index(fields=["community", "author", "created_at"], name="thread_community_author"),
            # The health dashboard reads a period's threads and every thread's kind from this index alone.
            models.Index(
                fields=["community", "created_at"],
                include=["id", "author", "kind", "focus_area", "is_hidden", "accepted_post"],
                name="thread_community_period",
            ),
            # Search ranks the newest matches: read backwards, a common word's newest 200 are near the top.
            models.Index(fields=["-created_at"], name="thread_created"),
            # Search leaves out replies of hidden threads, which are few: NOT IN over this index.
            models.Index(fields=["id"], name="thread_hidden", condition=Q(is_hidden=True)),
            # "What needs me" and the community home: open questions nobody has answered, which are few;
            # without it PostgreSQL read every question of the member's communities (5 ms at 1,000,000 posts).
            models.Index(
                fields=["community", "focus_area", "-created_at"],
                name="thread_unanswered",
                condition=Q(
                    kind="question", reply_count=0, accepted_post__isnull=True, is_hidden=False, is_locked=False
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "discussions:thread_slug",
            kwargs={"slug": self.community.slug, "thread_id": self.pk, "thread_slug": self.slug},
        )

    @property
    def slug(self):
        return slugify(self.title)[:60] or "thread"

    @property
    def is_question(self):
        return self.kind == self.Kind.QUESTION


class Post(models.Model):
    """A reply to a thread or to another reply."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Denormalised from the thread so search and visibility filters need no join.
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts")
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    is_deleted = models.BooleanField("deleted by its author", default=False)
    is_hidden = models.BooleanField("hidden by a moderator", default=False)
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # Names the form submission that made it (services.submission_key): a repeated submit finds it.
    submission_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], condition=~Q(submission_key=""), name="one_post_per_submission"
            )
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="post_thread_created", condition=Q(parent=None)),
            models.Index(fields=["root", "created_at"], name="post_root_created"),
            # Search ranks the newest matches, across communities and within one.
            models.Index(fields=["-created_at"], name="post_created"),
            models.Index(fields=["community", "-created_at"], name="post_community_created"),
            # The health dashboard: a community's replies in a period (who, which thread, shown or
            # not) and each member's last reply, read from the index alone.
            # (Key columns rather than INCLUDE, which SQLite, the demo's database, does not have.)
            models.Index(
                fields=["community", "created_at", "author", "thread", "is_hidden", "is_deleted"],
                name="post_community_activity",
            ),
        ]

    def __str__(self):
        return f"Reply {self.pk} in {self.thread_id}"

    def get_absolute_url(self):
        return reverse(
            "discussions:post_link",
            kwargs={"slug": self.community.slug, "thread_id": self.thread_id, "post_id": self.pk},
        )

    @property
    def is_removed(self):
        return self.is_deleted or self.is_hidden

    @property
    def anchor(self):
        return f"post-{self.pk}"


class Revision(models.Model):
    """The text a thread opening or reply had before an edit (seen by its author and moderators)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="revisions")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Revision of {self.post_id or 'opening'} in thread {self.thread_id}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HELPFUL = "helpful", "Helpful"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HELPFUL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user", "kind"], name="one_reaction_per_person")]
        indexes = [models.Index(fields=["created_at"], name="reaction_created")]

    def __str__(self):
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class Subscription(models.Model):
    """A member following a thread: emailed about new replies (if they want replies by email)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="one_subscription_per_person")]

    def __str__(self):
        return f"{self.user_id} follows {self.thread_id}"


class ReadMark(models.Model):
    """How far someone has read a thread: every post with an id up to ``upto`` (0: the opening only).

    Post ids only grow, so "new since you last read" is the thread's posts with a greater id. Written
    only by a POST from the thread page (never inside its GET); a thread without a mark was never opened.
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_read_marks")
    upto = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="one_read_mark_per_person")]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id} up to {self.upto}"


class Mention(models.Model):
    """An @mention of ``user`` in a thread opening (post None) or a reply; emailed once."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="mentions")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "post", "user"], name="one_mention_per_text"),
            models.UniqueConstraint(fields=["thread", "user"], condition=Q(post=None), name="one_mention_per_opening"),
        ]

    def __str__(self):
        return f"@{self.user_id} in {self.thread_id}"


class Flag(models.Model):
    """A member asking moderators to look at a thread opening (post None) or a reply."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Content hidden"
        DISMISSED = "dismissed", "Dismissed"

    class Category(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        OFF_TOPIC = "off_topic", "Off-topic"
        DISRESPECTFUL = "disrespectful", "Disrespectful or unkind"
        OTHER = "other", "Something else"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="flags")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "thread", "post"], condition=Q(status="open"), name="one_open_flag_per_person"
            ),
            # The constraint above never fires for a thread's opening (post is NULL, and NULLs
            # differ in a unique index), so the opening gets its own.
            models.UniqueConstraint(
                fields=["reporter", "thread"],
                condition=Q(status="open", post__isnull=True),
                name="one_open_flag_per_person_on_opening",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="flag_community_status")]

    def __str__(self):
        return f"Flag on {self.post_id or 'opening'} of thread {self.thread_id} ({self.status})"


class ModerationLogEntry(models.Model):
    class Action(models.TextChoices):
        PIN = "pin", "Pinned"
        UNPIN = "unpin", "Unpinned"
        LOCK = "lock", "Locked"
        UNLOCK = "unlock", "Unlocked"
        HIDE = "hide", "Hid"
        RESTORE = "restore", "Restored"
        MOVE = "move", "Moved"
        DISMISS_FLAG = "dismiss", "Dismissed a flag on"
        EDIT = "edit", "Edited"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    thread = models.ForeignKey(Thread, null=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="modlog_community_created")]

    def __str__(self):
        return f"{self.actor_id} {self.action} {self.thread_id}"


class SearchWord(models.Model):
    """A word written in a community's discussions, for search's "Did you mean" (``selectors.did_you_mean``).

    Kept per community so a suggestion never reveals a word of a community the searcher
    may not see. Filled and topped up by ``services.refresh_search_words`` (nightly).
    """

    MAX_LENGTH = 40

    # No index of its own: (word, community) serves lookups, and an index on the community
    # alone tempts the planner into reading most of the table for a visibility filter.
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", db_index=False)
    word = models.CharField(max_length=MAX_LENGTH)  # lower case, as written
    lexeme = models.CharField(max_length=MAX_LENGTH, blank=True)  # its English stem: "rubrics" -> "rubric"
    documents = models.PositiveIntegerField(default=0)  # openings and replies containing it

    class Meta:
        constraints = [models.UniqueConstraint(fields=["word", "community"], name="searchword_word_community")]
        indexes = [models.Index(fields=["lexeme", "community"], name="searchword_lexeme")]

    def __str__(self):
        return self.word


class KnownWord(models.Model):
    """Each word of ``SearchWord`` once, whatever the community: what "Did you mean" compares a typed word
    with by trigram similarity (pg_trgm, a GIN index), before ``SearchWord`` says whether the searcher may
    see a community that wrote it. Comparing with every (word, community) row instead cost 7-28 ms.
    Filled with ``SearchWord`` by ``services.refresh_search_words``."""

    word = models.CharField(max_length=SearchWord.MAX_LENGTH, unique=True)

    def __str__(self):
        return self.word


class SearchWordProgress(models.Model):
    """How far ``refresh_search_words`` has read each table (the highest id counted)."""

    source = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.source} up to {self.last_id}"
