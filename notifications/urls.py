from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.read_all, name="read_all"),
    path("notifications/<int:pk>/", views.go, name="go"),
    path("notifications/<int:pk>/read/", views.read, name="read"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/preferences/", views.preferences, name="preferences"),
]
