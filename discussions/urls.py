from django.urls import path

from discussions import views

app_name = "discussions"

T = "c/<slug:slug>/t/<int:thread_id>/"
P = T + "p/<int:post_id>/"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("c/<slug:slug>/t/", views.thread_list, name="list"),
    path("c/<slug:slug>/t/new/", views.new_thread, name="new"),
    path("c/<slug:slug>/t/similar/", views.similar, name="similar"),
    path("c/<slug:slug>/t/preview/", views.preview, name="preview"),
    path(T, views.thread_detail, name="thread"),
    path("c/<slug:slug>/t/<int:thread_id>-<slug:thread_slug>/", views.thread_detail, name="thread_slug"),
    path(T + "reply/", views.reply, name="reply"),
    path(T + "edit/", views.edit_thread, name="edit_thread"),
    path(T + "history/", views.thread_history, name="thread_history"),
    path(T + "follow/", views.follow, name="follow"),
    path(T + "read/", views.mark_read, name="mark_read"),
    path(T + "flag/", views.flag, name="flag_thread"),
    path(T + "moderate/", views.moderate_thread, name="moderate_thread"),
    path(P, views.post_link, name="post_link"),
    path(P + "edit/", views.edit_post, name="edit_post"),
    path(P + "delete/", views.delete_post, name="delete_post"),
    path(P + "history/", views.post_history, name="post_history"),
    path(P + "helpful/", views.helpful, name="helpful"),
    path(P + "accept/", views.accept, name="accept"),
    path(P + "flag/", views.flag, name="flag_post"),
    path(P + "moderate/", views.moderate_post, name="moderate_post"),
    path("c/<slug:slug>/moderation/", views.moderation_queue, name="moderation"),
    path("c/<slug:slug>/moderation/log/", views.moderation_log, name="moderation_log"),
    path("c/<slug:slug>/moderation/flags/<int:flag_id>/dismiss/", views.dismiss_flag, name="dismiss_flag"),
]
