from django.urls import path

from digests import views

app_name = "digests"
urlpatterns = [
    path("digests/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("digests/preview/", views.preview, name="preview"),
    path("c/<slug:slug>/digest-note/", views.community_note, name="community_note"),
    path("c/<slug:slug>/digest-note/preview/", views.member_preview, name="member_preview"),
]
