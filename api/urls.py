from django.urls import path

from api import site_views
from core.lazyviews import LazyView

app_name = "api"


def API(name):
    """``api.views.<name>.as_view()``, imported on the first API request (core.lazyviews)."""
    return LazyView(f"api.views.{name}")


C = "api/v1/communities/<slug:slug>/"

urlpatterns = [
    path("api/schema/", LazyView("drf_spectacular.views.SpectacularAPIView"), name="schema"),
    path("api/docs/", LazyView("api.docs.ApiDocs", url_name="api:schema"), name="docs"),
    path("api/v1/communities/", API("CommunityList"), name="communities"),
    path(C, API("CommunityDetail"), name="community"),
    path(C + "members/", API("MemberList"), name="members"),
    path(C + "members/<int:member_id>/roles/", API("MemberRoles"), name="member_roles"),
    path(C + "threads/", API("ThreadList"), name="threads"),
    path(C + "threads/<int:thread_id>/", API("ThreadDetail"), name="thread"),
    path(C + "threads/<int:thread_id>/posts/", API("PostList"), name="posts"),
    path(C + "posts/<int:post_id>/helpful/", API("PostHelpful"), name="post_helpful"),
    path(C + "resources/", API("ResourceList"), name="resources"),
    path(C + "resources/<int:resource_id>/", API("ResourceDetail"), name="resource"),
    path(C + "activities/", API("ActivityList"), name="activities"),
    path(C + "activities/<int:activity_id>/", API("ActivityDetail"), name="activity"),
    path(C + "activities/<int:activity_id>/rsvp/", API("ActivityRSVP"), name="activity_rsvp"),
    path(C + "occurrences/", API("OccurrenceList"), name="occurrences"),
    path(C + "polls/", API("PollList"), name="polls"),
    path(C + "polls/<int:poll_id>/", API("PollDetail"), name="poll"),
    path(C + "polls/<int:poll_id>/vote/", API("PollVote"), name="poll_vote"),
    path(C + "polls/<int:poll_id>/results/", API("PollResults"), name="poll_results"),
    path(C + "webhooks/", API("WebhookList"), name="webhooks"),
    path(C + "webhooks/<int:webhook_id>/", API("WebhookDetail"), name="webhook"),
    path(C + "webhooks/<int:webhook_id>/deliveries/", API("DeliveryList"), name="deliveries"),
    path("api/v1/me/needs/", API("WhatNeedsMe"), name="needs"),
    path("api/v1/me/notifications/", API("NotificationList"), name="notifications"),
    path("api/v1/me/notifications/read-all/", API("NotificationsReadAll"), name="notifications_read_all"),
    path(
        "api/v1/me/notifications/<int:notification_id>/read/",
        API("NotificationRead"),
        name="notification_read",
    ),
    path("settings/tokens/", site_views.create_token, name="create_token"),
    path("settings/tokens/<int:token_id>/revoke/", site_views.revoke_token, name="revoke_token"),
]
