import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

SIGNUP = "/accounts/signup/"


def signup_data(**overrides):
    data = {
        "email": "new.teacher@example.com",
        "username": "newteacher",
        "display_name": "New Teacher",
        "password1": "Pencil-Sharpener-81",
        "password2": "Pencil-Sharpener-81",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_signup_sends_a_confirmation_link_and_login_waits_for_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="new.teacher@example.com")
    assert user.display_name == "New Teacher"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)

    # Verification is mandatory: logging in before confirming is refused.
    response = client.post("/accounts/login/", {"login": user.email, "password": "Pencil-Sharpener-81"})
    assert "_auth_user_id" not in client.session

    assert link.startswith(
        f"{settings.SITE_URL}/accounts/confirm-email/"
    )  # links point to the site, not the request's host
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_signup_with_an_existing_email_is_refused_with_a_message(client):
    UserFactory(email="taken@example.com")
    response = client.post(SIGNUP, signup_data(email="taken@example.com"))
    assert response.status_code == 200  # allauth re-renders the form
    assert "already registered" in response.content.decode()
    assert User.objects.filter(email="taken@example.com").count() == 1


@pytest.mark.django_db
def test_signup_with_a_weak_password_is_refused(client):
    response = client.post(SIGNUP, signup_data(password1="password", password2="password"))
    assert "too common" in response.content.decode()
    assert not User.objects.filter(email="new.teacher@example.com").exists()


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_is_refused(client):
    response = client.post(SIGNUP, signup_data(password2="Different-Pass-99"))
    assert "same password" in response.content.decode()
    assert not User.objects.filter(email="new.teacher@example.com").exists()


@pytest.mark.django_db
def test_login_by_email_and_logout_only_by_post(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.get("/accounts/logout/")
    assert client.session.get("_auth_user_id") == str(user.pk), "a GET must not log anyone out"
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failed_logins_are_rate_limited(client):
    user = UserFactory()
    for _ in range(6):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is held back until the window passes.
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_allauth_pages_use_the_site_layout_and_crispy_fields(client):
    html = client.get("/accounts/login/").content.decode()
    assert "Skip to main content" in html
    assert 'class="form-control' in html
    assert re.search(r'<label\s+for="id_login"[^>]*>\s*Email', html)
