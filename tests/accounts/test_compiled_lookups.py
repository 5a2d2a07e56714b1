"""The session and the user are read with SQL written once (accounts/sessions.py, accounts/backends.py,
issue 19): the same answers as Django's own engine and backends, in the same single queries."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend
from accounts.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_site_uses_them(settings):
    assert settings.SESSION_ENGINE == "accounts.sessions"
    assert settings.AUTHENTICATION_BACKENDS == [
        "accounts.backends.ModelBackend",
        "accounts.backends.AuthenticationBackend",
    ]


def stored_session(**values):
    session = SessionStore()
    session.update(values)
    session.save()
    return session.session_key


def test_a_session_reads_as_djangos_engine_reads_it(django_assert_num_queries):
    key = stored_session(a=1, name="Ana <b>", nested={"x": [1, 2]})
    with django_assert_num_queries(1):
        ours = SessionStore(key).load()
    assert ours == DjangoSessionStore(key).load() == {"a": 1, "name": "Ana <b>", "nested": {"x": [1, 2]}}


def test_an_expired_unknown_or_malformed_session_is_empty_and_forgotten():
    expired = stored_session(a=1)
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now() - timedelta(seconds=1))
    for key in (expired, "x" * 32, "not a key!", None):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None  # a new one is made if anything is stored


def test_a_session_saved_after_reading_keeps_its_key_and_values():
    key = stored_session(a=1)
    store = SessionStore(key)
    store["b"] = 2
    store.save()
    assert store.session_key == key
    assert DjangoSessionStore(key).load() == {"a": 1, "b": 2}


@pytest.mark.parametrize("backend_class", [ModelBackend, AuthenticationBackend])
def test_the_user_is_the_one_djangos_backend_finds(backend_class, django_assert_num_queries):
    person = UserFactory(display_name="Ana <Rivera>", bio="Teaches 5th grade", is_staff=True)
    with django_assert_num_queries(1):
        found = backend_class().get_user(person.pk)
    expected = DjangoModelBackend().get_user(person.pk)
    assert found == expected
    for field in type(person)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.attname
    assert found._state.adding is False
    assert found._state.db == "default"
    found.bio = "Changed"
    found.save(update_fields=["bio"])  # an instance like any other: it saves as an update
    assert type(person).objects.get(pk=person.pk).bio == "Changed"


def test_no_user_for_an_unknown_id_or_an_inactive_account():
    gone = UserFactory()
    gone_id = gone.pk
    gone.delete()
    inactive = UserFactory(is_active=False)
    for user_id in (gone_id, inactive.pk, "not a number", None):
        assert ModelBackend().get_user(user_id) is None
        assert AuthenticationBackend().get_user(user_id) is None


def request_with_session(person, backend):
    store = SessionStore()
    store.update(
        {SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: person.get_session_auth_hash()}
    )
    store.save()
    request = RequestFactory().get("/")
    request.session = SessionStore(store.session_key)
    return request


def test_a_password_change_elsewhere_still_ends_the_session():
    person = UserFactory()
    request = request_with_session(person, "accounts.backends.AuthenticationBackend")
    assert get_user(request) == person
    person.set_password("a whole new passphrase")
    person.save()
    request = request_with_session(person, "accounts.backends.AuthenticationBackend")
    person.set_password("and another one again")
    person.save()
    assert not get_user(request).is_authenticated


def test_logging_in_and_out_through_the_site(client):
    person = UserFactory(email="ana@example.org")
    person.set_password("correct horse battery staple")
    person.save()
    answer = client.post(
        reverse("account_login"), {"login": "ana@example.org", "password": "correct horse battery staple"}
    )
    assert answer.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.AuthenticationBackend"
    assert client.get(reverse("accounts:settings")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:settings")).status_code == 302
