"""The resource library: resources that members submit and moderators curate, and collections of them.

Full-text search: ``Resource.search_vector`` is filled by a PostgreSQL trigger
(migration 0002) from the title, tags and description, so every way of saving a
resource (services, admin, demo data) keeps it current. On SQLite the column
stays empty and the library falls back to ``icontains``.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, FocusArea
from core.links import kept_reverse


class GradeBand(models.TextChoices):
    K2 = "k2", "K-2"
    G35 = "3-5", "3-5"
    G68 = "6-8", "6-8"
    G912 = "9-12", "9-12"
    ADULT = "adult", "Adult learners"


class Subject(models.TextChoices):
    MATH = "math", "Mathematics"
    SCIENCE = "science", "Science"
    ELA = "ela", "English language arts"
    SOCIAL = "social", "Social studies"
    CS = "cs", "Computer science"
    ARTS = "arts", "Arts"
    LANGUAGES = "languages", "World languages"
    HEALTH = "health", "Health and PE"
    SEL = "sel", "Social-emotional learning"
    LEADERSHIP = "leadership", "Leadership"
    OTHER = "other", "Other"


def _upload_name(instance, filename):
    # A random name: the original one is kept in ``file_name`` for downloads
    # and never reaches the storage, so it cannot be guessed or abused.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"resources/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ResourceQuerySet(models.QuerySet):
    def visible(self):
        """Resources anyone who may see the community may read: approved or featured."""
        return self.filter(status__in=Resource.VISIBLE_STATUSES)

    def visible_to(self, access):
        """What ``access`` may open: the library, plus your own submissions; moderators see all."""
        if access.may_moderate:
            return self
        mine = Q(submitted_by=access.user) if access.is_authenticated else Q(pk__in=[])
        return self.filter(Q(status__in=Resource.VISIBLE_STATUSES) | mine)


class Resource(models.Model):
    class Kind(models.TextChoices):
        LINK = "link", "Link"
        FILE = "file", "File"
        LESSON_PLAN = "lesson_plan", "Lesson plan"
        VIDEO = "video", "Video"
        ARTICLE = "article", "Article"
        TOOL = "tool", "Tool"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"
        FEATURED = "featured", "Featured"
        REJECTED = "rejected", "Rejected"
        ARCHIVED = "archived", "Archived"

    class LinkStatus(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        OK = "ok", "Working"
        BROKEN = "broken", "Broken"

    VISIBLE_STATUSES = (Status.APPROVED, Status.FEATURED)

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000, blank=True, help_text="Markdown is welcome.")
    description_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LINK)
    url = models.URLField("web address", max_length=500, blank=True)
    file = models.FileField(upload_to=_upload_name, max_length=200, blank=True)
    file_name = models.CharField("original file name", max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=120, blank=True, help_text="Sniffed from the content at upload.")
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="resources")
    # Comma-wrapped codes (",k2,3-5,") so one LIKE finds a band on PostgreSQL and SQLite alike.
    grade_bands = models.CharField(max_length=60, blank=True)
    subjects = models.CharField(max_length=200, blank=True)
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="submitted_resources"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.TextField(max_length=2000, blank=True)
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    curated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    featured_at = models.DateTimeField(null=True, blank=True)

    useful_count = models.PositiveIntegerField(default=0)

    link_status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED)
    link_checked_at = models.DateTimeField(null=True, blank=True)
    link_problem = models.CharField(max_length=300, blank=True)

    search_vector = SearchVectorField(null=True, editable=False)
    # Comments reuse discussions: the thread is created the first time someone asks to discuss.
    discussion_thread = models.OneToOneField(
        "discussions.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="resource"
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"]),
            models.Index(fields=["community", "status", "-featured_at"]),
            models.Index(fields=["link_status", "link_checked_at"]),
            # Site search ranks the newest matches of the library (approved or featured).
            models.Index(
                fields=["-created_at"],
                name="resource_library_created",
                condition=Q(status__in=["approved", "featured"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="resource_has_url_or_file"),
            models.CheckConstraint(
                condition=~Q(status="featured") | Q(featured_at__isnull=False), name="featured_resource_is_dated"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return kept_reverse("resources:detail", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def is_visible(self):
        return self.status in self.VISIBLE_STATUSES

    @property
    def has_file(self):
        return bool(self.file)

    @property
    def is_image(self):
        return self.content_type.startswith("image/")

    @property
    def grade_band_codes(self):
        return split_codes(self.grade_bands)

    @property
    def subject_codes(self):
        return split_codes(self.subjects)

    @property
    def grade_band_labels(self):
        labels = dict(GradeBand.choices)
        return [labels[c] for c in self.grade_band_codes if c in labels]

    @property
    def grade_band_summary(self):
        """Who it is for, as a phrase: "Grades K-2, 3-5", "Grade 6-8 and adult learners", "Adult learners"."""
        labels = dict(GradeBand.choices)
        codes = [c for c in self.grade_band_codes if c in labels]
        grades = [labels[c] for c in codes if c != GradeBand.ADULT]
        parts = [("Grade " if len(grades) == 1 else "Grades ") + ", ".join(grades)] if grades else []
        if GradeBand.ADULT in codes:
            parts.append("adult learners" if parts else "Adult learners")
        return " and ".join(parts)

    @property
    def subject_labels(self):
        labels = dict(Subject.choices)
        return [labels[c] for c in self.subject_codes if c in labels]

    @property
    def tag_list(self):
        return [t for t in (part.strip() for part in self.tags.split(",")) if t]


def join_codes(codes):
    codes = [c for c in codes if c]
    return f",{','.join(codes)}," if codes else ""


def split_codes(value):
    return [c for c in (value or "").split(",") if c]


class CurationDecision(models.Model):
    """One moderator decision on a resource: the audit trail, and the email the submitter gets."""

    class Action(models.TextChoices):
        APPROVED = "approved", "approved"
        FEATURED = "featured", "featured"
        UNFEATURED = "unfeatured", "stopped featuring"
        REJECTED = "rejected", "rejected"
        ARCHIVED = "archived", "archived"

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.resource} {self.action}"


class UsefulMark(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="useful_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="useful_marks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="one_useful_mark_per_person")]

    def __str__(self):
        return f"{self.user} finds {self.resource} useful"


class SavedResource(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="saves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_resources")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="one_save_per_person")]

    def __str__(self):
        return f"{self.user} saved {self.resource}"


class Collection(models.Model):
    """An ordered, annotated list of resources that moderators build, e.g. “Getting started with SEL”."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resource_collections")
    title = models.CharField(max_length=150)
    description = models.TextField(max_length=4000, blank=True, help_text="Markdown is welcome.")
    description_html = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="collection_title_unique_in_community")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:collection", kwargs={"slug": self.community.slug, "pk": self.pk})


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True, help_text="Why this resource is here, in a sentence.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["collection", "resource"], name="resource_once_per_collection")]

    def __str__(self):
        return f"{self.resource} in {self.collection}"
