"""What the API shows and accepts. Output serializers read what selectors loaded (no query per row);
input serializers only check shapes and types: the apps' services decide everything else."""

from rest_framework import serializers

from accounts import avatars
from api.models import Webhook
from calendar_app.models import RSVP, Activity
from communities.models import Community, Membership
from core.links import absolute_url
from discussions.models import Post, Thread
from polls.models import Poll
from resources.models import GradeBand, Resource, Subject


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is a 400 instead of silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not part of this request."] for name in unknown}
                )
        return super().to_internal_value(data)


class EmptyInput(StrictSerializer):
    """A request that takes no fields."""


def _picture_url(user) -> str | None:
    path = avatars.picture_path(user)
    return absolute_url(path) if path else None


class PersonSerializer(serializers.Serializer):
    """A person as the pages show them: the picture, or (without one) initials on their colour."""

    username = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    avatar_url = serializers.SerializerMethodField(help_text="The uploaded picture (absolute URL), or null.")
    initials = serializers.SerializerMethodField(help_text="Shown on `colour` when there is no picture.")
    colour = serializers.SerializerMethodField(help_text="The background of the initials, #rrggbb.")

    def get_avatar_url(self, user) -> str | None:
        return _picture_url(user)

    def get_initials(self, user) -> str:
        return avatars.initials(user.name)

    def get_colour(self, user) -> str:
        return avatars.colour(user.username)


class CommunitySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Community
        fields = ["slug", "name", "tagline", "domain", "purpose", "audience", "visibility", "join_policy", "url"]

    def get_url(self, community) -> str:
        return community.get_absolute_url()


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    district = serializers.CharField(source="user.district.name", default=None, read_only=True, allow_null=True)
    avatar_url = serializers.SerializerMethodField(help_text="The uploaded picture (absolute URL), or null.")
    initials = serializers.SerializerMethodField(help_text="Shown on `colour` when there is no picture.")
    colour = serializers.SerializerMethodField(help_text="The background of the initials, #rrggbb.")

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "district", "is_moderator", "is_district_leader", "is_mentor", "joined_at"]
        fields += ["avatar_url", "initials", "colour"]
        read_only_fields = fields

    def get_avatar_url(self, membership) -> str | None:
        return _picture_url(membership.user)

    def get_initials(self, membership) -> str:
        return avatars.initials(membership.user.name)

    def get_colour(self, membership) -> str:
        return avatars.colour(membership.user.username)


class RolesInput(StrictSerializer):
    is_moderator = serializers.BooleanField()
    is_district_leader = serializers.BooleanField()
    is_mentor = serializers.BooleanField()


class ThreadSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    focus_area = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    accepted_post_id = serializers.IntegerField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "title",
            "kind",
            "body",
            "body_html",
            "author",
            "focus_area",
            "created_at",
            "edited_at",
            "last_activity_at",
            "reply_count",
            "helpful_count",
            "accepted_post_id",
            "is_pinned",
            "is_locked",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, thread) -> str:
        return thread.get_absolute_url()


class ThreadInput(StrictSerializer):
    title = serializers.CharField(max_length=Thread._meta.get_field("title").max_length)
    body = serializers.CharField(max_length=Thread._meta.get_field("body").max_length)
    kind = serializers.ChoiceField(choices=Thread.Kind.choices, default=Thread.Kind.QUESTION)
    focus_area = serializers.SlugField(required=False, allow_null=True, max_length=60)


class PostSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    thread_id = serializers.IntegerField(read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = ["id", "thread_id", "parent_id", "depth", "author", "body", "body_html", "created_at", "edited_at"]
        fields += ["helpful_count", "is_deleted", "is_hidden"]
        read_only_fields = fields

    # A removed reply keeps its place in the thread but not its text (as on the page).
    def get_body(self, post) -> str:
        return "" if post.is_removed else post.body

    def get_body_html(self, post) -> str:
        return "" if post.is_removed else post.body_html


class ReplyInput(StrictSerializer):
    body = serializers.CharField(max_length=Post._meta.get_field("body").max_length)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)


class HelpfulSerializer(serializers.Serializer):
    post = serializers.IntegerField(read_only=True)
    helpful = serializers.BooleanField(read_only=True)
    helpful_count = serializers.IntegerField(read_only=True)


class ResourceSerializer(serializers.ModelSerializer):
    submitted_by = PersonSerializer(read_only=True, allow_null=True)
    focus_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = ["id", "title", "description", "description_html", "kind", "status", "focus_areas"]
        fields += ["grade_bands", "subjects", "tags", "submitted_by", "created_at", "approved_at", "featured_at"]
        fields += ["useful_count", "url"]
        read_only_fields = fields

    def get_url(self, resource) -> str:
        return resource.url or resource.get_absolute_url()


class ResourceInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    url = serializers.URLField(max_length=500)
    focus_areas = serializers.ListField(child=serializers.SlugField(max_length=60), required=False, max_length=20)
    grade_bands = serializers.ListField(child=serializers.ChoiceField(choices=GradeBand.choices), required=False)
    subjects = serializers.ListField(child=serializers.ChoiceField(choices=Subject.choices), required=False)
    tags = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ActivitySerializer(serializers.ModelSerializer):
    meeting_url = serializers.CharField(read_only=True)
    focus_area = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "title", "description", "description_html", "kind", "start", "end", "all_day"]
        fields += ["time_zone", "location", "meeting_url", "focus_area", "recurrence", "updated_at", "url"]
        read_only_fields = fields

    def get_url(self, activity) -> str:
        return activity.get_absolute_url()


class OccurrenceSerializer(serializers.Serializer):
    activity = serializers.IntegerField(source="activity.pk", read_only=True)
    title = serializers.CharField(source="activity.title", read_only=True)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    original_start = serializers.DateTimeField(read_only=True, allow_null=True)
    moved = serializers.BooleanField(read_only=True)
    url = serializers.CharField(read_only=True)


class RSVPInput(StrictSerializer):
    response = serializers.ChoiceField(choices=RSVP.Response.choices)
    occurrence_start = serializers.DateTimeField(required=False, allow_null=True)


class RSVPSerializer(serializers.ModelSerializer):
    activity_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = RSVP
        fields = ["activity_id", "occurrence_start", "response", "updated_at"]
        read_only_fields = fields


class ChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)


class PollSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = ["id", "question", "description", "description_html", "kind", "max_choices", "is_anonymous"]
        fields += ["opens_at", "closes_at", "results_visibility", "status", "round", "choices", "url"]
        read_only_fields = fields

    def get_url(self, poll) -> str:
        return poll.get_absolute_url()


class VoteInput(StrictSerializer):
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), required=False, max_length=50
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class VoteSerializer(serializers.Serializer):
    poll = serializers.IntegerField(read_only=True)
    answered = serializers.BooleanField(read_only=True)


class ChoiceResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="choice.pk", read_only=True)
    label = serializers.CharField(source="choice.label", read_only=True)
    count = serializers.IntegerField(read_only=True)
    percent = serializers.FloatField(read_only=True)


class ResultsSerializer(serializers.Serializer):
    poll = serializers.IntegerField(source="poll.pk", read_only=True)
    voters = serializers.IntegerField(read_only=True)
    members = serializers.IntegerField(read_only=True)
    response_rate = serializers.IntegerField(read_only=True)
    mean = serializers.FloatField(read_only=True, allow_null=True)
    choices = ChoiceResultSerializer(many=True, read_only=True)
    text_answer_count = serializers.IntegerField(read_only=True)


class NeedItemSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    path = serializers.CharField(read_only=True)
    community = serializers.CharField(source="community.slug", read_only=True, allow_null=True, default=None)
    when = serializers.SerializerMethodField()
    detail = serializers.CharField(read_only=True)
    action = serializers.CharField(read_only=True)

    def get_when(self, item) -> str | None:
        return item.when.isoformat() if item.when is not None else None


class NeedsSerializer(serializers.Serializer):
    responsibilities = NeedItemSerializer(many=True, read_only=True)
    polls = NeedItemSerializer(many=True, read_only=True)
    activities = NeedItemSerializer(many=True, read_only=True)
    questions = NeedItemSerializer(many=True, read_only=True)
    mentoring = NeedItemSerializer(many=True, read_only=True)
    count = serializers.IntegerField(read_only=True)


class NotificationSerializer(serializers.Serializer):
    """One notification as the notifications page shows it (``url``: the page it is about)."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(read_only=True)
    sentence = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)
    community = serializers.CharField(source="community.slug", read_only=True, allow_null=True, default=None)
    actor = PersonSerializer(read_only=True, allow_null=True)
    count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    unread = serializers.BooleanField(source="is_unread", read_only=True)


class NotificationReadSerializer(NotificationSerializer):
    unread_count = serializers.IntegerField(read_only=True, help_text="Your unread notifications now (the bell).")


class AllReadSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField(read_only=True, help_text="Your unread notifications now: 0.")


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    consecutive_failures = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    disabled_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once: the key of the X-CoP-Signature HMAC.")


class WebhookInput(StrictSerializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Webhook.Event.choices), min_length=1)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    event = serializers.CharField(read_only=True)
    event_id = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    response_code = serializers.IntegerField(read_only=True, allow_null=True)
    error = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)
