from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import site_views, views

app_name = "api"

C = "api/v1/communities/<slug:slug>/"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", site_views.ApiDocs.as_view(url_name="api:schema"), name="docs"),
    path("api/v1/communities/", views.CommunityList.as_view(), name="communities"),
    path(C, views.CommunityDetail.as_view(), name="community"),
    path(C + "members/", views.MemberList.as_view(), name="members"),
    path(C + "members/<int:member_id>/roles/", views.MemberRoles.as_view(), name="member_roles"),
    path(C + "threads/", views.ThreadList.as_view(), name="threads"),
    path(C + "threads/<int:thread_id>/", views.ThreadDetail.as_view(), name="thread"),
    path(C + "threads/<int:thread_id>/posts/", views.PostList.as_view(), name="posts"),
    path(C + "posts/<int:post_id>/helpful/", views.PostHelpful.as_view(), name="post_helpful"),
    path(C + "resources/", views.ResourceList.as_view(), name="resources"),
    path(C + "resources/<int:resource_id>/", views.ResourceDetail.as_view(), name="resource"),
    path(C + "activities/", views.ActivityList.as_view(), name="activities"),
    path(C + "activities/<int:activity_id>/", views.ActivityDetail.as_view(), name="activity"),
    path(C + "activities/<int:activity_id>/rsvp/", views.ActivityRSVP.as_view(), name="activity_rsvp"),
    path(C + "occurrences/", views.OccurrenceList.as_view(), name="occurrences"),
    path(C + "polls/", views.PollList.as_view(), name="polls"),
    path(C + "polls/<int:poll_id>/", views.PollDetail.as_view(), name="poll"),
    path(C + "polls/<int:poll_id>/vote/", views.PollVote.as_view(), name="poll_vote"),
    path(C + "polls/<int:poll_id>/results/", views.PollResults.as_view(), name="poll_results"),
    path(C + "webhooks/", views.WebhookList.as_view(), name="webhooks"),
    path(C + "webhooks/<int:webhook_id>/", views.WebhookDetail.as_view(), name="webhook"),
    path(C + "webhooks/<int:webhook_id>/deliveries/", views.DeliveryList.as_view(), name="deliveries"),
    path("api/v1/me/needs/", views.WhatNeedsMe.as_view(), name="needs"),
    path("api/v1/me/notifications/", views.NotificationList.as_view(), name="notifications"),
    path("api/v1/me/notifications/read-all/", views.NotificationsReadAll.as_view(), name="notifications_read_all"),
    path(
        "api/v1/me/notifications/<int:notification_id>/read/",
        views.NotificationRead.as_view(),
        name="notification_read",
    ),
    path("settings/tokens/", site_views.create_token, name="create_token"),
    path("settings/tokens/<int:token_id>/revoke/", site_views.revoke_token, name="revoke_token"),
]
