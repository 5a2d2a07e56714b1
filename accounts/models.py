import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from accounts.avatars import stored_name


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Pick one from the list, for example America/Chicago.",
            params={"value": value},
        )


class District(models.Model):
    """A school district. A person belongs to at most one; communities span many.

    It sits in accounts, below communities, because a person's district is part of
    who they are (``User.district``) and communities only refer to it."""

    name = models.CharField(max_length=120, unique=True)
    region = models.CharField(max_length=120, blank=True, help_text="County, state or region.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person. Logs in by email; ``username`` is the public handle used in @mentions and /u/<username>/."""

    class DigestFrequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly (recommended)"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True, help_text="How your name appears to others.")
    # The district a person works in. Nullable: not every member works for one.
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text="The school district you work in, if any.",
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    digest_frequency = models.CharField(
        "digest email", max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.MONTHLY
    )
    email_on_mention = models.BooleanField("email me when someone @mentions me", default=True)
    email_on_reply = models.BooleanField("email me about new replies in threads I follow", default=True)
    can_create_communities = models.BooleanField(
        default=False, help_text="District leaders given the right to start new communities."
    )
    bio = models.TextField(max_length=2000, blank=True)
    # Only accounts.services.set_avatar writes it: a re-encoded 256 px WebP under a random name.
    avatar = models.ImageField("profile picture", upload_to=stored_name, max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"username": self.username})
