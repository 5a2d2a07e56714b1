from django.contrib import admin
from django.urls import include, path

from communities.views import site_home
from core import views as core_views

urlpatterns = [
    path("", site_home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("bench/ok", core_views.trivial, name="trivial"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Email services report bounces and complaints here (django-anymail; core.signals suppresses them).
    path("anymail/", include("anymail.urls")),
    path("", include("accounts.urls")),
    # Each app's urls.py spells out its full paths (DESIGN.md's URL table).
    path("", include("communities.urls")),
    path("", include("discussions.urls")),
    path("", include("resources.urls")),
    path("", include("calendar_app.urls")),
    path("", include("polls.urls")),
    path("", include("digests.urls")),
]
