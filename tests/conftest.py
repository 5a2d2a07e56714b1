import os

import pytest
from django.core import mail
from django.core.cache import cache

from cop_site.celery import app as celery_app
from tests import testdb, workers
from tests.digests.smtp import SMTPServer
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.mailcheck import check_message
from tests.queries import exact_queries

# Playwright's sync API runs an event loop in the test thread; the Django ORM
# calls the tests make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser.fixtures"]
LONG_MARKERS = ("slow", "browser", "worker")


def pytest_collection_modifyitems(items):
    """Long tests first (browser, Celery worker and ``slow`` ones), the many short ones after.

    xdist's worksteal hands out the list in order and lets an idle worker take from another's
    queue, so with the long tests up front the run ends on short ones and neither worker waits
    out a minute-long test alone at the end. The sort is stable: a module's tests stay together.
    """
    items.sort(key=lambda item: not any(item.get_closest_marker(name) for name in LONG_MARKERS))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate limits, cached fragments)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _page_cache_only_where_asked(request, settings):
    """The whole-page cache is off unless a test is marked ``page_cache`` or drives a browser.

    With it on, a repeated GET is answered from the cache, and a query-count test would
    measure the cache instead of the page. Browser journeys, the authorization matrix and
    tests/site/test_pagecache.py keep it on: they prove it never serves stale or private pages. The kept parts
    of member pages (KEPT_SECONDS) go with it.
    """
    if not (request.node.get_closest_marker("page_cache") or request.node.get_closest_marker("browser")):
        settings.PAGE_CACHE_SECONDS = 0
        # The same for the parts of member pages kept under the same tokens (core.pagecache.kept).
        settings.KEPT_SECONDS = 0


@pytest.fixture(autouse=True)
def _every_email_goes_through_the_mail_helper():
    """Every message any test sends (Django's test outbox) has the shape core.mail gives it."""
    yield
    for message in getattr(mail, "outbox", []):
        check_message(message)


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks run in-process by default; tests marked ``worker`` use a real worker on Redis."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def assert_num_queries_exact(db):
    """``with assert_num_queries_exact(n):`` fails unless exactly n queries ran, listing them all."""
    return exact_queries


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (tests/digests/smtp.py)."""
    with SMTPServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server, settings):
    """This process sends its email to a real SMTP server on loopback; its handler."""
    smtp_server.use_in(settings)
    return smtp_server.handler


@pytest.fixture
def start_worker(smtp_server, tmp_path):
    """Start real Celery worker processes that read the test database and send to ``smtp_server``."""
    celery_app.conf.task_always_eager = False
    started = []
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115 - closed at teardown

    def start(**extra_env):
        started.append(workers.start(log, smtp_server, **extra_env))
        return started[-1]

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
    log.close()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def member(community):
    return MembershipFactory(community=community).user


@pytest.fixture
def moderator(community):
    return MembershipFactory(community=community, is_moderator=True).user


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_createdb, django_db_modify_db_settings
):
    """pytest-django's test database setup, copying a kept migrated database (tests/testdb.py)."""
    from django.test.utils import teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = testdb.setup_from_template(verbosity, aliases, serialized_aliases, recreate=django_db_createdb)
        from django.db import connection

        if connection.vendor == "postgresql":
            testdb.remember_refilled_rows(connection)
            testdb.patch_transactional_teardown()
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=verbosity)
