from django.contrib import admin
from django.urls import include, path

from cop_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("bench/ok", views.trivial, name="trivial"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    # Each app's urls.py spells out its full paths (DESIGN.md's URL table).
    path("", include("communities.urls")),
    path("", include("discussions.urls")),
    path("", include("resources.urls")),
    path("", include("calendar_app.urls")),
    path("", include("polls.urls")),
    path("", include("digests.urls")),
]
