"""The small things people trip over (issue 14, item 13)."""

import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from resources.models import Resource
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.resources.factories import ResourceFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_log_in_and_sign_up_are_named_one_way(client):
    login = client.get(reverse("account_login")).content.decode()
    signup = client.get(reverse("account_signup")).content.decode()
    for html in (login, signup):
        assert "Sign In" not in html
        assert "Sign Up" not in html
        assert "sign in" not in html.lower()
    assert "<h1>Log in</h1>" in " ".join(login.split()) or ">Log in<" in login
    assert "Sign up" in signup


def test_the_password_changed_page_links_to_log_in(client):
    html = client.get(reverse("account_reset_password_from_key_done")).content.decode()
    assert "Your password is now changed." in html
    assert f'href="{reverse("account_login")}"' in html


def test_the_home_page_does_not_say_welcome_back_to_a_new_account(client):
    client.force_login(UserFactory(display_name="New Teacher"))
    html = client.get("/").content.decode()
    assert "Welcome back" not in html
    assert "Welcome, New Teacher" in html


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00", "an ICO file"
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert 'favicon.svg"' in html


def test_without_debug_a_missing_page_is_the_sites_404_and_static_files_still_load(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "URLconf" not in html
    assert client.get("/static/css/site.css").status_code == 200


def test_make_run_serves_the_demo_with_debug_off():
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    serve = next(line for line in plan.splitlines() if "runserver" in line)
    assert "DEBUG=${DEBUG:-0}" in serve


def test_grade_bands_read_as_words():
    assert ResourceFactory.build(grade_bands="k2,3-5").grade_band_summary == "Grades K-2, 3-5"
    assert ResourceFactory.build(grade_bands="6-8").grade_band_summary == "Grade 6-8"
    assert ResourceFactory.build(grade_bands="adult").grade_band_summary == "Adult learners"
    assert ResourceFactory.build(grade_bands="9-12,adult").grade_band_summary == "Grade 9-12 and adult learners"
    assert ResourceFactory.build(grade_bands="").grade_band_summary == ""


def test_the_library_never_says_grades_adult_learners(client):
    community = CommunityFactory()
    ResourceFactory(community=community, grade_bands="adult")
    html = client.get(reverse("resources:library", kwargs={"slug": community.slug})).content.decode()
    assert "Grades Adult" not in html
    assert "Adult learners" in html


def test_the_review_queue_shows_each_description(client):
    community = CommunityFactory()
    moderator = MembershipFactory(community=community, is_moderator=True).user
    ResourceFactory(
        community=community,
        status=Resource.Status.SUBMITTED,
        description="Printable **mats**",
        description_html="<p>Printable <strong>mats</strong></p>",
    )
    client.force_login(moderator)
    html = client.get(reverse("resources:review", kwargs={"slug": community.slug})).content.decode()
    assert "<p>Printable <strong>mats</strong></p>" in html
