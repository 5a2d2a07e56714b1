from django.urls import path

from polls import views

app_name = "polls"
urlpatterns = [
    path("c/<slug:slug>/polls/", views.poll_list, name="list"),
    path("c/<slug:slug>/polls/new/", views.poll_new, name="new"),
    path("c/<slug:slug>/polls/<int:poll_id>/", views.poll_detail, name="detail"),
    path("c/<slug:slug>/polls/<int:poll_id>/vote/", views.vote, name="vote"),
    path("c/<slug:slug>/polls/<int:poll_id>/edit/", views.poll_edit, name="edit"),
    path("c/<slug:slug>/polls/<int:poll_id>/close/", views.poll_close, name="close"),
    path("c/<slug:slug>/polls/<int:poll_id>/repeat/", views.poll_repeat, name="repeat"),
    path("c/<slug:slug>/polls/<int:poll_id>/repeat/auto/", views.poll_auto_repeat, name="auto_repeat"),
    path("c/<slug:slug>/polls/<int:poll_id>/export.csv", views.poll_export, name="export"),
]
