"""A web worker settles the garbage collector once it has loaded the application (core/gcsettle.py)."""

import gc

import pytest

from core.gcsettle import DEFAULT_YOUNG_THRESHOLD, settle
from tests.processes import run_python

PROBE = "import gc, {module}; print(gc.get_threshold()[0], gc.get_freeze_count())"


@pytest.fixture
def collector():
    """Put the collector back as it was: the rest of the suite runs in this process."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_freezes_what_is_loaded_and_raises_the_young_threshold(collector):
    _, middle, old = gc.get_threshold()
    settle()
    assert gc.get_threshold() == (DEFAULT_YOUNG_THRESHOLD, middle, old)
    # Everything this process has loaded (Django, the project, pytest) is out of the walks.
    assert gc.get_freeze_count() > 100_000


def test_the_threshold_comes_from_the_environment_and_zero_keeps_pythons(collector, monkeypatch):
    monkeypatch.setenv("GC_YOUNG_THRESHOLD", "2500")
    settle()
    assert gc.get_threshold()[0] == 2500
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("GC_YOUNG_THRESHOLD", "0")
    settle()
    assert gc.get_threshold()[0] == 700


@pytest.mark.parametrize("module", ["cop_site.wsgi", "cop_site.asgi"])
def test_both_applications_settle_when_a_worker_loads_them(module, monkeypatch):
    monkeypatch.delenv("GC_YOUNG_THRESHOLD", raising=False)
    out = run_python(PROBE.format(module=module), timeout=60, env={"DJANGO_SETTINGS_MODULE": "cop_site.settings"})
    threshold, frozen = map(int, out.split())
    assert threshold == DEFAULT_YOUNG_THRESHOLD
    assert frozen > 50_000
