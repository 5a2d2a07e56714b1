"""A URLconf for tests/site/test_kept_lookups.py: ``home`` at another path."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="home")]
