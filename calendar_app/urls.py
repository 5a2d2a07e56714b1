from django.urls import path

from calendar_app import views

app_name = "calendar_app"
urlpatterns = [
    path("c/<slug:slug>/calendar/", views.month, name="month"),
    path("c/<slug:slug>/calendar.ics", views.community_feed, name="community_feed"),
    path("c/<slug:slug>/calendar/new/", views.new_activity, name="new"),
    path("c/<slug:slug>/calendar/plan/", views.plan, name="plan"),
    path("c/<slug:slug>/calendar/plan/cell/", views.plan_cell, name="plan_cell"),
    path("c/<slug:slug>/calendar/plan/copy/", views.copy_plan, name="copy_plan"),
    path("c/<slug:slug>/calendar/<int:pk>/rotations/", views.add_rotation, name="add_rotation"),
    path("c/<slug:slug>/calendar/rotations/<int:pk>/edit/", views.edit_rotation, name="edit_rotation"),
    path("c/<slug:slug>/calendar/rotations/<int:pk>/delete/", views.delete_rotation, name="delete_rotation"),
    path("c/<slug:slug>/calendar/<int:pk>/", views.activity_detail, name="activity"),
    path("c/<slug:slug>/calendar/<int:pk>.ics", views.activity_ics, name="activity_ics"),
    path("c/<slug:slug>/calendar/<int:pk>/edit/", views.edit_activity, name="edit"),
    path("c/<slug:slug>/calendar/<int:pk>/delete/", views.delete_activity, name="delete"),
    path("c/<slug:slug>/calendar/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("c/<slug:slug>/calendar/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("c/<slug:slug>/calendar/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("c/<slug:slug>/calendar/<int:pk>/cancel-occurrence/", views.cancel_occurrence, name="cancel_occurrence"),
    path("c/<slug:slug>/calendar/<int:pk>/restore-occurrence/", views.restore_occurrence, name="restore_occurrence"),
    path("c/<slug:slug>/calendar/<int:pk>/move-occurrence/", views.move_occurrence, name="move_occurrence"),
    path("c/<slug:slug>/calendar/<int:pk>/responsibilities/", views.add_responsibility, name="add_responsibility"),
    path(
        "c/<slug:slug>/calendar/responsibilities/<int:pk>/status/",
        views.responsibility_status,
        name="responsibility_status",
    ),
    path(
        "c/<slug:slug>/calendar/responsibilities/<int:pk>/delete/",
        views.delete_responsibility,
        name="delete_responsibility",
    ),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/overdue/", views.overdue, name="overdue"),
    path("calendar/feed-token/reset/", views.reset_feed_token, name="reset_feed_token"),
    path("calendar/<str:token>.ics", views.personal_feed, name="personal_feed"),
]
