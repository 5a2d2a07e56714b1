"""Slots on the site home and the community home that feature apps fill.

The home pages sit left of the feature apps in the dependency order, so they
do not import them. Instead each feature app may offer a ``panels`` module with
``site_home_panel(*, user)`` and/or ``community_home_panel(*, community, viewer,
access)``. Each returns ``None`` (nothing to show) or a dict with a
``template`` key and the context that template needs. A panel must run a fixed
number of queries whatever the data size.
"""

from importlib import import_module

PANEL_APPS = ("discussions", "resources", "calendar_app", "polls", "digests")


def _panel_modules():
    for label in PANEL_APPS:
        try:
            yield import_module(f"{label}.panels")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.panels":
                raise


def collect(hook, **kwargs):
    panels = []
    for module in _panel_modules():
        function = getattr(module, hook, None)
        if function is None:
            continue
        panel = function(**kwargs)
        if panel:
            panels.append(panel)
    return panels
