from django.urls import path

from chats.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/c/<slug:slug>/calendar/<int:pk>/chat/", RoomConsumer.as_asgi()),
]
