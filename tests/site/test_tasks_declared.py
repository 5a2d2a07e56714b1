"""Every Celery task of the project has an explicit name and time limits (HELPERS.md, DESIGN.md).

A task without a name is registered under its module path, so moving the function loses the
messages already queued for it; a task without limits can hold a worker forever.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client, override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import cop_site.urls
from cop_site.celery import app

PROJECT_APPS = {c.name for c in apps.get_app_configs() if Path(c.path).is_relative_to(settings.BASE_DIR)}


def project_tasks():
    """The tasks the project's apps define (Celery's own, like celery.backend_cleanup, aside)."""
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if task.__module__.split(".")[0] in PROJECT_APPS}


def test_the_project_has_tasks_to_check():
    names = set(project_tasks())
    assert {"notifications.send_due_emails", "core.send_due_emails", "digests.start_monthly_digest"} <= names


@pytest.mark.parametrize("name", sorted(project_tasks()))
def test_each_task_has_an_explicit_name_and_time_limits(name):
    task = project_tasks()[name]
    module = task.__module__
    # Without name=, Celery names a task after its module path: "resources.tasks.check_links".
    assert name != f"{module}.{task.run.__name__}", f"{name}: give it an explicit name='<app>.<function>'"
    assert name.split(".")[0] == module.split(".")[0], f"{name} in {module}: name it after its app"
    assert task.soft_time_limit, f"{name} has no soft_time_limit"
    assert task.time_limit, f"{name} has no time_limit"
    assert task.soft_time_limit < task.time_limit, f"{name}: the soft limit must come first, to let it clean up"


def test_the_benchmark_view_is_not_routed_by_default(settings):
    assert settings.BENCH_ENDPOINTS is False
    with pytest.raises(Resolver404):
        resolve("/bench/ok")


def test_production_settings_route_no_benchmark_view_and_load_no_test_task():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"BENCH_ENDPOINTS", "CELERY_TEST_TASKS", "DEBUG"}},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "forum.example.org",
        "SITE_URL": "https://forum.example.org",
    }
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.urls import resolve, Resolver404\n"
        "from cop_site.celery import app\n"
        "assert settings.PRODUCTION and not settings.BENCH_ENDPOINTS\n"
        "app.loader.import_default_modules()\n"
        "print(sorted(name for name in app.tasks if 'ping' in name))\n"
        "try:\n    resolve('/bench/ok')\nexcept Resolver404:\n    print('not routed')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert out.stdout.split("\n")[:2] == ["[]", "not routed"], out.stdout + out.stderr


@override_settings(BENCH_ENDPOINTS=True)
def test_with_bench_endpoints_the_baseline_view_answers_ok():
    try:
        importlib.reload(cop_site.urls)
        clear_url_caches()
        assert Client().get("/bench/ok").content == b"ok"
    finally:
        with override_settings(BENCH_ENDPOINTS=False):
            importlib.reload(cop_site.urls)
        clear_url_caches()
