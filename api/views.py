"""The REST API (/api/v1/). Thin views: the community's permission check (communities.permissions),
a selector for reads, a service for writes. Lists are cursor-paginated; every GET has an ETag."""

import hashlib

from django.http import Http404
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api import webhooks
from api.models import Webhook
from api.permissions import community_access
from calendar_app import selectors as calendar_selectors
from calendar_app import services as calendar_services
from calendar_app.models import Activity
from communities import selectors as community_selectors
from communities import services as community_services
from communities.models import Community, FocusArea, Membership
from communities.permissions import check, listed_q
from digests.selectors import calls_to_action
from discussions import selectors as discussion_selectors
from discussions import services as discussion_services
from discussions.forms import ThreadFilterForm
from discussions.models import Post, Reaction
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from polls import selectors as poll_selectors
from polls import services as poll_services
from polls.models import Poll, results_visible
from resources import selectors as resource_selectors
from resources import services as resource_services
from resources.filters import ResourceFilter

_conditional_get = decorator_from_middleware(ConditionalGetMiddleware)

Error = inline_serializer(
    "Error",
    fields={"detail": serializers.CharField(), "errors": serializers.DictField(required=False)},
)
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 429: Error}


def answers(ok, status=200):
    return {status: ok, **ERRORS}


class ApiMixin:
    """What every API view shares: an ETag on GETs, private caching, and the community's Access."""

    need = "see"

    @classmethod
    def as_view(cls, **initkwargs):
        return _conditional_get(super().as_view(**initkwargs))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        patch_cache_control(response, private=True, no_cache=True)
        return response

    def get_need(self):
        return self.need

    @property
    def access(self):
        if not hasattr(self, "_access"):
            need = self.get_need()
            # A community the viewer may not know exists is a 404 before anything else is said.
            access = community_access(self.request, self.kwargs["slug"], "view")
            if need not in ("view", "see") and not self.request.user.is_authenticated:
                raise exceptions.NotAuthenticated("Log in or send a personal access token to do that.")
            check(access, need)
            self._access = access
        return self._access


class ApiList(ApiMixin, generics.ListAPIView):
    pass


def _object_or_404(queryset, pk, message):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(message)
    return found


def _form_errors(form):
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = next(iter(errors.values()), ["That filter is not valid."])[0]
    return exceptions.ValidationError({"detail": f"Please fix the request: {first}", "errors": errors})


# -- communities ----------------------------------------------------------------------------


@extend_schema(tags=["communities"], responses=answers(s.CommunitySerializer(many=True)))
class CommunityList(ApiList):
    """The communities you may know exist (hidden ones only if you belong)."""

    serializer_class = s.CommunitySerializer
    ordering = ("slug",)

    def get_queryset(self):
        return Community.objects.filter(listed_q(self.request.user))


@extend_schema(tags=["communities"], responses=answers(s.CommunitySerializer))
class CommunityDetail(ApiMixin, generics.GenericAPIView):
    """One community's about page; 404 for a hidden community you do not belong to."""

    serializer_class = s.CommunitySerializer
    need = "view"

    def get(self, request, slug):
        return Response(self.get_serializer(self.access.community).data)


MEMBER_PARAMS = [
    OpenApiParameter("role", str, enum=["moderator", "district_leader", "mentor", "focus_area_leader"]),
    OpenApiParameter("district", int),
]


@extend_schema(tags=["members"], parameters=MEMBER_PARAMS, responses=answers(s.MemberSerializer(many=True)))
class MemberList(ApiList):
    """Members and their roles (for those who may see the community's content, as the members page)."""

    serializer_class = s.MemberSerializer
    ordering = ("joined_at", "id")

    def get_queryset(self):
        community = self.access.community
        role = self.request.query_params.get("role", "")
        if role not in ("", "moderator", "district_leader", "mentor", "focus_area_leader"):
            raise exceptions.ValidationError(
                {"role": ["Pick moderator, district_leader, mentor or focus_area_leader."]}
            )
        district = self.request.query_params.get("district") or None
        if district is not None and (not district.isdigit() or len(district) > 18):
            raise exceptions.ValidationError({"district": ["Give a district's id (a number)."]})
        district_id = int(district) if district is not None else None
        return community_selectors.members_for_list(community=community, district=district_id, role=role)


@extend_schema(tags=["members"], request=s.RolesInput, responses=answers(s.MemberSerializer))
class MemberRoles(ApiMixin, generics.GenericAPIView):
    """Change a member's roles (the community's moderators)."""

    serializer_class = s.MemberSerializer
    need = "manage"

    def put(self, request, slug, member_id):
        access = self.access
        membership = _object_or_404(
            Membership.objects.filter(community=access.community).select_related("user", "user__district"),
            member_id,
            "No such member in this community.",
        )
        data = _valid(s.RolesInput, request)
        membership = community_services.change_roles(access=access, membership=membership, **data)
        membership = Membership.objects.select_related("user", "user__district").get(pk=membership.pk)
        return Response(s.MemberSerializer(membership).data)


def _submission(request):
    """The services' form-submission name (32 hex digits) for an ``Idempotency-Key`` header, else ""."""
    key = request.headers.get("Idempotency-Key", "")
    return hashlib.sha256(f"{request.user.pk}:{key}".encode()).hexdigest()[:32] if key else ""


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# -- discussions ----------------------------------------------------------------------------

THREAD_ORDERINGS = {
    "latest": ("-last_activity_at", "-id"),
    "newest": ("-created_at", "-id"),
    "unanswered": ("-created_at", "-id"),
    "helpful": ("-helpful_count", "-id"),
}
THREAD_PARAMS = [
    OpenApiParameter("sort", str, enum=list(THREAD_ORDERINGS)),
    OpenApiParameter("kind", str, enum=[k for k, _ in s.Thread.Kind.choices]),
    OpenApiParameter("focus_area", int, description="A focus area's id"),
]


@extend_schema(tags=["discussions"])
class ThreadList(ApiList):
    serializer_class = s.ThreadSerializer

    def get_need(self):
        return "post" if self.request.method == "POST" else "see"

    @property
    def ordering(self):
        return THREAD_ORDERINGS[self._filters()[0]]

    def _filters(self):
        if not hasattr(self, "_parsed"):
            form = ThreadFilterForm(self.request.query_params, community=self.access.community)
            if not form.is_valid():
                raise _form_errors(form)
            data = form.cleaned_data
            self._parsed = (data["sort"] or "latest", data["kind"], data["focus_area"])
        return self._parsed

    def get_queryset(self):
        sort, kind, focus_area = self._filters()
        return discussion_selectors.threads_for_list(access=self.access, sort=sort, kind=kind, focus_area=focus_area)

    @extend_schema(parameters=THREAD_PARAMS, responses=answers(s.ThreadSerializer(many=True)))
    def get(self, request, *args, **kwargs):
        """Threads you may see, filtered as on the discussions page (sort, kind, focus area)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ThreadInput,
        responses=answers(s.ThreadSerializer, 201),
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, slug):
        """Start a thread (members). The same Idempotency-Key sent again returns the thread it made."""
        access = self.access
        data = _valid(s.ThreadInput, request)
        focus_area = None
        if data.get("focus_area"):
            focus_area = FocusArea.objects.filter(community=access.community, slug=data["focus_area"]).first()
            if focus_area is None:
                raise exceptions.ValidationError({"focus_area": ["Pick a focus area of this community."]})
        thread = discussion_services.create_thread(
            author=request.user,
            community=access.community,
            title=data["title"],
            body=data["body"],
            kind=data["kind"],
            focus_area=focus_area,
            access=access,
            submission=_submission(request),
        )
        thread = discussion_selectors.thread_for_page(access=access, thread_id=thread.pk)
        return Response(s.ThreadSerializer(thread).data, status=201)


def _thread(access, thread_id):
    thread = discussion_selectors.thread_for_page(access=access, thread_id=thread_id)
    if thread is None:
        raise Http404("No such thread.")
    return thread


@extend_schema(tags=["discussions"], responses=answers(s.ThreadSerializer))
class ThreadDetail(ApiMixin, generics.GenericAPIView):
    serializer_class = s.ThreadSerializer

    def get(self, request, slug, thread_id):
        """One thread's opening post."""
        return Response(s.ThreadSerializer(_thread(self.access, thread_id)).data)


@extend_schema(tags=["discussions"])
class PostList(ApiList):
    serializer_class = s.PostSerializer
    ordering = ("created_at", "id")

    def get_need(self):
        return "post" if self.request.method == "POST" else "see"

    def get_queryset(self):
        thread = _thread(self.access, self.kwargs["thread_id"])
        return Post.objects.filter(thread=thread).select_related("author")

    @extend_schema(responses=answers(s.PostSerializer(many=True)))
    def get(self, request, *args, **kwargs):
        """The thread's replies, oldest first; a removed reply keeps its place without its text."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ReplyInput,
        responses=answers(s.PostSerializer, 201),
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, slug, thread_id):
        """Reply to the thread, or to one of its replies (``parent``). Members only."""
        access = self.access
        thread = _thread(access, thread_id)
        data = _valid(s.ReplyInput, request)
        parent = None
        if data.get("parent"):
            parent = Post.objects.filter(thread=thread, pk=data["parent"]).first()
            if parent is None:
                raise exceptions.ValidationError({"parent": ["You can only reply to a post in this thread."]})
        post = discussion_services.create_reply(
            access=access,
            thread=thread,
            body=data["body"],
            parent=parent,
            submission=_submission(request),
        )
        post = Post.objects.select_related("author").get(pk=post.pk)
        return Response(s.PostSerializer(post).data, status=201)


@extend_schema(tags=["discussions"], request=None, responses=answers(s.HelpfulSerializer))
class PostHelpful(ApiMixin, generics.GenericAPIView):
    """Mark a reply helpful (PUT) or take the mark back (DELETE). Members, not on their own replies."""

    serializer_class = s.HelpfulSerializer
    need = "post"

    def _set(self, request, post_id, helpful):
        access = self.access
        post = _object_or_404(
            Post.objects.filter(community=access.community, thread__is_hidden=False), post_id, "No such reply."
        )
        marked = Reaction.objects.filter(post=post, user=request.user, kind=Reaction.Kind.HELPFUL).exists()
        if marked != helpful:
            post, marked = discussion_services.toggle_helpful(access=access, post=post)
        return Response({"post": post.pk, "helpful": marked, "helpful_count": post.helpful_count})

    def put(self, request, slug, post_id):
        return self._set(request, post_id, True)

    def delete(self, request, slug, post_id):
        return self._set(request, post_id, False)


# -- resources ------------------------------------------------------------------------------

RESOURCE_PARAMS = [
    OpenApiParameter("q", str),
    OpenApiParameter("kind", str, enum=[k for k, _ in s.Resource.Kind.choices]),
    OpenApiParameter("focus_area", int),
    OpenApiParameter("grade_band", str, enum=[k for k, _ in s.GradeBand.choices]),
    OpenApiParameter("subject", str, enum=[k for k, _ in s.Subject.choices]),
    OpenApiParameter("status", str, enum=[k for k, _ in s.Resource.Status.choices], description="Moderators only"),
]


@extend_schema(tags=["resources"])
class ResourceList(ApiList):
    serializer_class = s.ResourceSerializer
    ordering = ("-created_at", "-id")

    def get_need(self):
        return "post" if self.request.method == "POST" else "see"

    def get_queryset(self):
        access = self.access
        params = {k: v for k, v in self.request.query_params.items() if k not in ("cursor", "page_size", "sort")}
        filters = ResourceFilter(
            params, queryset=resource_selectors.resources_for_library(access=access), access=access
        )
        if not filters.is_valid():
            raise _form_errors(filters.form)
        return filters.qs

    @extend_schema(parameters=RESOURCE_PARAMS, responses=answers(s.ResourceSerializer(many=True)))
    def get(self, request, *args, **kwargs):
        """The library as the page shows it: approved and featured, your own submissions, all to moderators."""
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.ResourceInput, responses=answers(s.ResourceSerializer, 201))
    def post(self, request, slug):
        """Submit a link for review (a moderator's goes straight into the library). Files: use the page."""
        access = self.access
        data = _valid(s.ResourceInput, request)
        if not data["url"].lower().startswith(("http://", "https://")):
            raise exceptions.ValidationError({"url": ["Use a web address that starts with http:// or https://."]})
        wanted = set(data.get("focus_areas") or [])
        focus_areas = list(FocusArea.objects.filter(community=access.community, slug__in=wanted))
        if len(focus_areas) != len(wanted):
            raise exceptions.ValidationError({"focus_areas": ["Pick focus areas of this community."]})
        resource = resource_services.submit_resource(
            access=access,
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            url=data["url"],
            focus_areas=focus_areas,
            grade_bands=data.get("grade_bands") or (),
            subjects=data.get("subjects") or (),
            tags=data["tags"],
        )
        resource = resource_selectors.resource_for_page(access=access, pk=resource.pk).get()
        return Response(s.ResourceSerializer(resource).data, status=201)


@extend_schema(tags=["resources"], responses=answers(s.ResourceSerializer))
class ResourceDetail(ApiMixin, generics.GenericAPIView):
    serializer_class = s.ResourceSerializer

    def get(self, request, slug, resource_id):
        """One resource you may open."""
        found = resource_selectors.resource_for_page(access=self.access, pk=resource_id).first()
        if found is None:
            raise Http404("No such resource.")
        return Response(s.ResourceSerializer(found).data)


# -- calendar -------------------------------------------------------------------------------


@extend_schema(
    tags=["calendar"],
    parameters=[OpenApiParameter("kind", str, enum=[k for k, _ in Activity.Kind.choices])],
    responses=answers(s.ActivitySerializer(many=True)),
)
class ActivityList(ApiList):
    """The community's activities (each once, however often it repeats), latest start first."""

    serializer_class = s.ActivitySerializer
    ordering = ("-start", "-id")

    def get_queryset(self):
        qs = Activity.objects.filter(community=self.access.community).select_related("focus_area", "community")
        kind = self.request.query_params.get("kind", "")
        if kind:
            if kind not in Activity.Kind.values:
                raise exceptions.ValidationError({"kind": ["Pick one of the kinds of activity."]})
            qs = qs.filter(kind=kind)
        return qs


def _activity(access, activity_id):
    return _object_or_404(
        Activity.objects.filter(community=access.community).select_related("focus_area", "community"),
        activity_id,
        "No such activity.",
    )


@extend_schema(tags=["calendar"], responses=answers(s.ActivitySerializer))
class ActivityDetail(ApiMixin, generics.GenericAPIView):
    serializer_class = s.ActivitySerializer

    def get(self, request, slug, activity_id):
        """One activity."""
        return Response(s.ActivitySerializer(_activity(self.access, activity_id)).data)


@extend_schema(
    tags=["calendar"],
    parameters=[OpenApiParameter("month", str, description="YYYY-MM, as on the calendar page; default this month")],
    responses=answers(s.OccurrenceSerializer(many=True)),
)
class OccurrenceList(ApiMixin, generics.GenericAPIView):
    """Every date of the community's activities in one month (repeats expanded, cancelled dates left out)."""

    serializer_class = s.OccurrenceSerializer
    pagination_class = None

    def get(self, request, slug):
        access = self.access
        first = calendar_selectors.parse_month(request.query_params.get("month", ""), timezone.localdate())
        if first is None:
            raise exceptions.ValidationError({"month": ["Give a month as YYYY-MM between 1970 and 2200."]})
        start = calendar_selectors.local_midnight(first)
        end = calendar_selectors.local_midnight(calendar_selectors.add_months(first, 1))
        found = calendar_selectors.occurrences_for_community(community=access.community, start=start, end=end)
        return Response(s.OccurrenceSerializer(found, many=True).data)


@extend_schema(tags=["calendar"], request=s.RSVPInput, responses=answers(s.RSVPSerializer))
class ActivityRSVP(ApiMixin, generics.GenericAPIView):
    """RSVP to an activity (``occurrence_start`` names one date of a repeating one). Members only."""

    serializer_class = s.RSVPSerializer
    need = "post"

    def post(self, request, slug, activity_id):
        access = self.access
        activity = _activity(access, activity_id)
        data = _valid(s.RSVPInput, request)
        rsvp = calendar_services.respond(
            access=access,
            activity=activity,
            occurrence_start=data.get("occurrence_start"),
            response=data["response"],
        )
        return Response(s.RSVPSerializer(rsvp).data)


# -- polls ----------------------------------------------------------------------------------

POLL_ORDERINGS = {"open": ("closes_at", "id"), "closed": ("-closes_at", "-id"), "scheduled": ("opens_at", "id")}


@extend_schema(
    tags=["polls"],
    parameters=[OpenApiParameter("status", str, enum=list(POLL_ORDERINGS), description="Default: open")],
    responses=answers(s.PollSerializer(many=True)),
)
class PollList(ApiList):
    """The community's polls in one status, as the polls page's tabs (scheduled ones only for leaders)."""

    serializer_class = s.PollSerializer

    def _status(self):
        status = self.request.query_params.get("status", "") or "open"
        if status not in POLL_ORDERINGS:
            raise exceptions.ValidationError({"status": ["Pick open, closed or scheduled."]})
        return status

    @property
    def ordering(self):
        return ("-opens_at", "-id") if self._status() == "open" else POLL_ORDERINGS[self._status()]

    def get_queryset(self):
        return poll_selectors.polls_for_list(access=self.access, status=self._status()).prefetch_related("choices")


def _poll(access, poll_id):
    return poll_selectors.poll_for_page(access=access, poll_id=poll_id)


@extend_schema(tags=["polls"], responses=answers(s.PollSerializer))
class PollDetail(ApiMixin, generics.GenericAPIView):
    serializer_class = s.PollSerializer

    def get(self, request, slug, poll_id):
        """One poll with its choices."""
        return Response(s.PollSerializer(_poll(self.access, poll_id)).data)


@extend_schema(tags=["polls"], request=s.VoteInput, responses=answers(s.VoteSerializer))
class PollVote(ApiMixin, generics.GenericAPIView):
    """Answer a poll (members, while it is open): ``choices`` (ids) or ``text`` for a written answer."""

    serializer_class = s.VoteSerializer
    need = "post"

    def post(self, request, slug, poll_id):
        access = self.access
        poll = _poll(access, poll_id)
        data = _valid(s.VoteInput, request)
        poll_services.cast_vote(access=access, poll=poll, choices=data.get("choices") or (), text=data["text"])
        return Response({"poll": poll.pk, "answered": True})


@extend_schema(tags=["polls"], responses=answers(s.ResultsSerializer))
class PollResults(ApiMixin, generics.GenericAPIView):
    """Results as the poll's page shows them to you (403 while the poll keeps them from you)."""

    serializer_class = s.ResultsSerializer

    def get(self, request, slug, poll_id):
        access = self.access
        poll = _poll(access, poll_id)
        answer = poll_selectors.my_answer(poll=poll, user=request.user)
        if not results_visible(poll, access, answered=answer.answered):
            raise exceptions.PermissionDenied(_hidden_results_message(poll))
        results = poll_selectors.poll_results(poll=poll, with_districts=False)
        return Response(s.ResultsSerializer(results).data)


def _hidden_results_message(poll):
    if poll.results_visibility == Poll.ResultsVisibility.AFTER_VOTE:
        return "Answer this poll to see its results."
    return "This poll shows its results when it closes."


# -- me -------------------------------------------------------------------------------------


def _signed_in(request, doing):
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated(f"Log in or send a personal access token to {doing}.")
    return request.user


@extend_schema(tags=["me"], responses=answers(s.NeedsSerializer))
class WhatNeedsMe(ApiMixin, APIView):
    """What needs you in the coming month, across your communities (the home page's "What needs me").

    Only from communities you belong to now: leave one and its calls to action go with it."""

    def get(self, request):
        user = _signed_in(request, "see what needs you")
        return Response(s.NeedsSerializer(calls_to_action(user=user)).data)


def _no_body(request):
    """These writes take no body: a malformed one is a 400 (``ParseError``), and so is any field."""
    if request.data:
        _valid(s.EmptyInput, request)


UNREAD_VALUES = {"true": True, "1": True, "false": False, "0": False}


@extend_schema(
    tags=["me"],
    parameters=[
        OpenApiParameter("unread", bool, description="true: only unread ones; false: only read ones; default: all")
    ],
    responses=answers(s.NotificationSerializer(many=True)),
)
class NotificationList(ApiList):
    """Your notifications, newest first, as the notifications page lists them.

    Only about communities you may see now (and site-wide ones): one you lost access to shows nothing here."""

    serializer_class = s.NotificationSerializer
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        user = _signed_in(self.request, "read your notifications")
        unread = self.request.query_params.get("unread", "").lower()
        if unread and unread not in UNREAD_VALUES:
            raise exceptions.ValidationError({"unread": ["Give true or false."]})
        rows = notification_selectors.visible_notifications(user).select_related("actor", "community")
        if unread:
            rows = rows.filter(read_at__isnull=UNREAD_VALUES[unread])
        return rows


@extend_schema(tags=["me"], request=None, responses=answers(s.NotificationReadSerializer))
class NotificationRead(ApiMixin, APIView):
    """Mark one of your notifications read (again: no change). Anyone else's is a 404."""

    def post(self, request, notification_id):
        user = _signed_in(request, "mark your notifications read")
        _no_body(request)
        notification = notification_services.mark_read(user=user, notification_id=notification_id)
        notification = (
            notification_selectors.visible_notifications(user)
            .select_related("actor", "community")
            .get(pk=notification.pk)
        )
        body = s.NotificationSerializer(notification).data
        return Response({**body, "unread_count": notification_selectors.unread_count(user)})


@extend_schema(tags=["me"], request=None, responses=answers(s.AllReadSerializer))
class NotificationsReadAll(ApiMixin, APIView):
    """Mark all your notifications read."""

    def post(self, request):
        user = _signed_in(request, "mark your notifications read")
        _no_body(request)
        notification_services.mark_all_read(user=user)
        return Response({"unread_count": notification_selectors.unread_count(user)})


# -- webhooks (the community's moderators) ----------------------------------------------------


@extend_schema(tags=["webhooks"])
class WebhookList(ApiList):
    serializer_class = s.WebhookSerializer
    ordering = ("created_at", "id")
    need = "manage"

    def get_queryset(self):
        return Webhook.objects.filter(community=self.access.community)

    @extend_schema(responses=answers(s.WebhookSerializer(many=True)))
    def get(self, request, *args, **kwargs):
        """The community's webhooks."""
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.WebhookInput, responses=answers(s.NewWebhookSerializer, 201))
    def post(self, request, slug):
        """Register an https address for events; the response carries the signing secret, once."""
        data = _valid(s.WebhookInput, request)
        webhook, secret = webhooks.register_webhook(access=self.access, url=data["url"], events=data["events"])
        body = s.WebhookSerializer(webhook).data
        return Response({**body, "secret": secret}, status=201)


@extend_schema(tags=["webhooks"], responses={204: None, **ERRORS})
class WebhookDetail(ApiMixin, generics.GenericAPIView):
    serializer_class = s.WebhookSerializer
    need = "manage"

    def delete(self, request, slug, webhook_id):
        """Delete a webhook (its deliveries go with it)."""
        webhook = _object_or_404(
            Webhook.objects.filter(community=self.access.community), webhook_id, "No such webhook."
        )
        webhooks.delete_webhook(access=self.access, webhook=webhook)
        return Response(status=204)


@extend_schema(tags=["webhooks"], responses=answers(s.DeliverySerializer(many=True)))
class DeliveryList(ApiList):
    """A webhook's deliveries, newest first, with the answer each got."""

    serializer_class = s.DeliverySerializer
    ordering = ("-created_at", "-id")
    need = "manage"

    def get_queryset(self):
        webhook = _object_or_404(
            Webhook.objects.filter(community=self.access.community), self.kwargs["webhook_id"], "No such webhook."
        )
        return webhook.deliveries.all()
