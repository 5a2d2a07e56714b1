"""Links point to the site: one function builds them, and Sites, SITE_URL and `make run` agree."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.sites.models import Site

from core import links
from core.signals import sync_site

ROOT = Path(__file__).resolve().parents[2]


def test_absolute_links_are_built_from_site_url(settings):
    settings.SITE_URL = "https://forum.example.org/"
    assert links.absolute_url("/c/cs-k8/") == "https://forum.example.org/c/cs-k8/"
    assert links.absolute_url("c/cs-k8/") == "https://forum.example.org/c/cs-k8/"
    assert links.absolute_url("") == "https://forum.example.org/"
    assert links.absolute_url("https://example.org/x") == "https://example.org/x"
    assert links.absolute_reverse("communities:directory") == "https://forum.example.org/c/"
    assert (links.site_host(), links.site_domain()) == ("forum.example.org", "forum.example.org")
    html = '<p><a href="/c/cs-k8/t/1/?a=1&amp;b=2">x</a> <img src="https://cdn.example.org/i.png"></p>'
    assert links.absolutize_html(html) == (
        '<p><a href="https://forum.example.org/c/cs-k8/t/1/?a=1&amp;b=2">x</a> <img src="https://cdn.example.org/i.png"></p>'
    )
    assert (
        links.absolutize_markdown("[guide](/c/cs-k8/resources/)")
        == "[guide](https://forum.example.org/c/cs-k8/resources/)"
    )


@pytest.mark.django_db
def test_the_sites_framework_says_what_site_url_and_site_name_say(settings):
    site = Site.objects.get_current()
    assert (site.domain, site.name) == (links.site_domain(), settings.SITE_NAME)
    settings.SITE_URL = "http://127.0.0.1:8101"
    settings.SITE_NAME = "Educators Forum"
    sync_site()  # what every migrate does
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("127.0.0.1:8101", "Educators Forum")


def test_make_run_sets_site_url_to_the_address_it_serves():
    plan = subprocess.run(
        ["make", "-n", "run", "RUN_ADDRESS=127.0.0.1:8101"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    manage_lines = [line for line in plan.splitlines() if "manage.py" in line]
    assert manage_lines
    assert all("SITE_URL=http://127.0.0.1:8101" in line for line in manage_lines)
    assert manage_lines[-1].endswith("manage.py runserver 127.0.0.1:8101")


def test_feed_links_use_the_same_function(settings):
    from calendar_app import feeds

    settings.SITE_URL = "https://forum.example.org"
    assert feeds.uid_for(type("A", (), {"pk": 7})()) == "activity-7@forum.example.org"
    assert settings.SITE_URL in links.absolute_url("/calendar/")
