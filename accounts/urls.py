from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/email-off/<str:token>/", views.email_opt_out, name="email_opt_out"),
]
