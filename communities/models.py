from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import District
from core.links import kept_reverse

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters, numbers and single hyphens only, for example “math-coaches”.",
)


class Community(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone may read"
        MEMBERS = "members", "Members only: listed, content for members"
        HIDDEN = "hidden", "Hidden: not listed, invitation only"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone may join"
        REQUEST = "request", "By request: moderators approve"
        INVITATION = "invitation", "By invitation only"

    class Audience(models.TextChoices):
        K8_TEACHERS = "k8_teachers", "K-8 teachers"
        HS_TEACHERS = "hs_teachers", "High school teachers"
        ALL_TEACHERS = "teachers", "Teachers (all grades)"
        COACHES = "coaches", "Instructional coaches"
        PRINCIPALS = "principals", "Principals and site leaders"
        DISTRICT_LEADERS = "district_leaders", "District leaders"
        SPECIALISTS = "specialists", "Specialists and support staff"
        ALL = "all", "All educators"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    tagline = models.CharField(max_length=200, blank=True)
    domain = models.TextField(
        "domain", max_length=2000, help_text="The shared concern or passion that brings members together."
    )
    purpose = models.TextField("purpose and goal", max_length=4000, blank=True)
    audience = models.CharField("core audience", max_length=30, choices=Audience.choices, default=Audience.ALL)
    audience_detail = models.CharField(
        "audience in your words", max_length=200, blank=True, help_text="For example “K-8 teachers new to coding”."
    )
    cadence = models.CharField(
        "how often members meet and talk",
        max_length=200,
        blank=True,
        help_text="For example “a monthly online chat and a site visit each term”.",
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    join_policy = models.CharField(max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    districts = models.ManyToManyField(District, blank=True, related_name="communities")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_communities"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        constraints = [
            models.CheckConstraint(
                # A hidden community can only be joined by invitation.
                condition=~Q(visibility="hidden") | Q(join_policy="invitation"),
                name="hidden_community_is_invitation_only",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return kept_reverse("communities:home", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_hidden(self):
        return self.visibility == self.Visibility.HIDDEN


class Membership(models.Model):
    """A person in a community, with the roles they hold there (several at once is fine)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    is_moderator = models.BooleanField("moderator", default=False)
    # Leads the members of their district (``district``, once confirmed) inside this community.
    is_district_leader = models.BooleanField("district leader", default=False)
    # The district the member answers for here. Set by an invitation (confirmed at once) or chosen
    # by the member and pending until a leader of that district or a manager confirms it.
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships")
    district_confirmed = models.BooleanField("district confirmed", default=False)
    is_mentor = models.BooleanField("mentor", default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["user", "community"], name="one_membership_per_person")]
        indexes = [models.Index(fields=["community", "joined_at"])]

    def __str__(self):
        return f"{self.user} in {self.community}"

    @property
    def confirmed_district_id(self):
        return self.district_id if self.district_confirmed else None

    @property
    def role_names(self):
        roles = []
        if self.is_moderator:
            roles.append("Moderator")
        if self.is_district_leader:
            roles.append("District leader")
        if self.is_mentor:
            roles.append("Mentor")
        return roles


class FocusArea(models.Model):
    """A sub-topic of a community, led by the members who know it best."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="focus_areas")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, validators=[slug_validator])
    description = models.TextField(max_length=2000, blank=True)
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_focus_areas")
    # Members who follow a focus area hear about its unanswered questions (digest, home).
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_focus_areas")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="focus_area_slug_unique_in_community"),
            models.UniqueConstraint(fields=["community", "name"], name="focus_area_name_unique_in_community"),
        ]

    def __str__(self):
        return self.name


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(status="pending"), name="one_pending_request_per_person"
            )
        ]

    def __str__(self):
        return f"{self.user} asks to join {self.community} ({self.status})"


class Invitation(models.Model):
    """An emailed, signed, expiring, single-use invitation to join a community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # What the invited person is when they join: their district (confirmed by the invitation),
    # its leader, a focus area's leader.
    name = models.CharField(max_length=80, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    as_district_leader = models.BooleanField(default=False)
    leads_focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self):
        return f"Invitation for {self.email} to {self.community}"

    @property
    def status(self):
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class InvitationLink(models.Model):
    """A reusable invitation link: anyone who has it joins, until it expires, is used up or withdrawn."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitation_links")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField()
    uses = models.PositiveIntegerField(default=0)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(uses__lte=F("max_uses")), name="link_used_at_most_max")]

    def __str__(self):
        return f"Invitation link to {self.community}"

    @property
    def status(self):
        if self.revoked:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        if self.uses >= self.max_uses:
            return "used up"
        return "open"
