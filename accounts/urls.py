from django.urls import path, re_path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/avatar/", views.avatar_upload, name="avatar_upload"),
    path("settings/avatar/remove/", views.avatar_remove, name="avatar_remove"),
    # Under MEDIA_URL, so a proxy may serve MEDIA_ROOT/avatars/ itself; the app serves it otherwise.
    re_path(r"^media/avatars/(?P<key>[0-9a-f]{32})\.webp$", views.avatar_file, name="avatar_file"),
    path("settings/email-off/<str:token>/", views.email_opt_out, name="email_opt_out"),
]
