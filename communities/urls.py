from django.urls import path

from communities import views

app_name = "communities"
urlpatterns = [
    path("c/", views.directory, name="directory"),
    # Before <slug>: "new" is a reserved slug (communities.forms.RESERVED_SLUGS).
    path("c/new/", views.create, name="create"),
    path("c/<slug:slug>/", views.home, name="home"),
    path("c/<slug:slug>/members/", views.members, name="members"),
    path("c/<slug:slug>/members/mentions.json", views.mention_candidates, name="mention_candidates"),
    path("c/<slug:slug>/join/", views.join, name="join"),
    path("c/<slug:slug>/leave/", views.leave, name="leave"),
    path("c/<slug:slug>/focus-areas/<slug:area_slug>/follow/", views.follow_focus_area, name="follow_focus_area"),
    path(
        "c/<slug:slug>/focus-areas/<slug:area_slug>/unfollow/",
        views.follow_focus_area,
        {"follow": False},
        name="unfollow_focus_area",
    ),
    path("c/<slug:slug>/manage/", views.manage, name="manage"),
    path("c/<slug:slug>/manage/settings/", views.manage_settings, name="manage_settings"),
    path("c/<slug:slug>/manage/focus-areas/", views.manage_focus_areas, name="manage_focus_areas"),
    path("c/<slug:slug>/manage/focus-areas/<int:pk>/", views.manage_focus_area_edit, name="manage_focus_area_edit"),
    path(
        "c/<slug:slug>/manage/focus-areas/<int:pk>/delete/",
        views.manage_focus_area_delete,
        name="manage_focus_area_delete",
    ),
    path("c/<slug:slug>/manage/requests/", views.manage_requests, name="manage_requests"),
    path(
        "c/<slug:slug>/manage/requests/<int:pk>/approve/",
        views.manage_request_decide,
        {"approve": True},
        name="manage_request_approve",
    ),
    path(
        "c/<slug:slug>/manage/requests/<int:pk>/decline/",
        views.manage_request_decide,
        {"approve": False},
        name="manage_request_decline",
    ),
    path("c/<slug:slug>/manage/invitations/", views.manage_invitations, name="manage_invitations"),
    path("c/<slug:slug>/manage/invitations/bulk/", views.manage_bulk_invitations, name="manage_bulk_invitations"),
    path("c/<slug:slug>/manage/invitations/links/", views.manage_invitation_links, name="manage_invitation_links"),
    path(
        "c/<slug:slug>/manage/invitations/links/<int:pk>/revoke/",
        views.manage_invitation_link_revoke,
        name="manage_invitation_link_revoke",
    ),
    path(
        "c/<slug:slug>/manage/invitations/<int:pk>/resend/",
        views.manage_invitation_resend,
        name="manage_invitation_resend",
    ),
    path(
        "c/<slug:slug>/manage/invitations/<int:pk>/revoke/",
        views.manage_invitation_revoke,
        name="manage_invitation_revoke",
    ),
    path("c/<slug:slug>/manage/districts/", views.manage_districts, name="manage_districts"),
    path("c/<slug:slug>/manage/districts/<int:pk>/rename/", views.rename_district, name="rename_district"),
    path("c/<slug:slug>/manage/districts/<int:pk>/merge/", views.merge_district, name="merge_district"),
    path("c/<slug:slug>/districts/", views.districts, name="districts"),
    path("c/<slug:slug>/districts/mine/", views.choose_district, name="choose_district"),
    path("c/<slug:slug>/districts/confirm/<int:pk>/", views.confirm_district, name="confirm_district"),
    path("c/<slug:slug>/manage/roles/", views.manage_roles, name="manage_roles"),
    path("c/<slug:slug>/manage/roles/<int:pk>/", views.manage_roles_change, name="manage_roles_change"),
    path("c/<slug:slug>/manage/roles/<int:pk>/remove/", views.manage_member_remove, name="manage_member_remove"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("join/<str:token>/", views.join_link, name="join_link"),
]
