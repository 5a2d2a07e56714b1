from django.urls import path

from mentoring import views

app_name = "mentoring"
P = "c/<slug:slug>/mentoring/"
urlpatterns = [
    path(P, views.home, name="home"),
    path(f"{P}mentor/", views.mentor_profile, name="mentor_profile"),
    path(f"{P}ask/", views.ask, name="ask"),
    path(f"{P}requests/<int:request_id>/", views.request_detail, name="request"),
    path(f"{P}requests/<int:request_id>/ask/", views.ask_mentor, name="ask_mentor"),
    path(f"{P}leaders/", views.leaders, name="leaders"),
    path(f"{P}pairs/<int:pair_id>/", views.pair, name="pair"),
    path(f"{P}pairs/<int:pair_id>/respond/", views.respond, name="respond"),
    path(f"{P}pairs/<int:pair_id>/messages/", views.post_message, name="message"),
    path(f"{P}pairs/<int:pair_id>/messages/<int:message_id>/file/", views.attachment, name="attachment"),
    path(f"{P}pairs/<int:pair_id>/messages/<int:message_id>/report/", views.report, name="report"),
    path(f"{P}pairs/<int:pair_id>/goals/", views.add_goal, name="add_goal"),
    path(f"{P}pairs/<int:pair_id>/goals/<int:goal_id>/", views.tick_goal, name="tick_goal"),
    path(f"{P}pairs/<int:pair_id>/cadence/", views.set_cadence, name="cadence"),
    path(f"{P}pairs/<int:pair_id>/check-in/", views.check_in, name="check_in"),
    path(f"{P}pairs/<int:pair_id>/end/", views.end, name="end"),
]
