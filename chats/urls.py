from django.urls import path

from chats import views

app_name = "chats"
urlpatterns = [
    path("c/<slug:slug>/calendar/<int:pk>/chat/", views.room, name="room"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/prepare/", views.prepare, name="prepare"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/messages/", views.post_message, name="post"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/messages/<int:message_id>/helpful/", views.helpful, name="helpful"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/messages/<int:message_id>/hide/", views.hide, name="hide"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/pin/", views.pin, name="pin"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/ask/", views.ask, name="ask"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/pause/", views.pause, name="pause"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/end/", views.end, name="end"),
    path("c/<slug:slug>/calendar/<int:pk>/chat/publish/", views.publish, name="publish"),
]
