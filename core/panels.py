"""Slots on pages that apps above the page's own app fill.

A page low in the dependency order (the site home, a community home, a thread,
a profile) must not import the apps that add to it. Instead it names a *slot*
and asks :func:`collect` for what the apps registered there. An app registers
its panel functions from its ``AppConfig.ready()`` (its ``panels.py`` holds
them), so the dependency points from the feature app down to ``core``.

A panel function takes keyword arguments fixed by the slot and returns ``None``
(nothing to show) or a dict with a ``template`` key and the context that
template needs. It must run a fixed number of queries whatever the data size.

Slots in use:

- ``site_home_panel(*, user, communities)``: ``communities`` are the user's (``communities.selectors.my_communities``:
  each with ``num_members`` and ``moderated_by_user``)
- ``community_home_panel(*, community, viewer, access)``
- ``needs_you(*, community, viewer, access)``: the parts of a community home's "What needs you" (the
  member's calls to action there, the next chat), shown together at the top of the page
- ``thread_panel(*, thread, viewer, access)``
- ``profile_panel(*, person, viewer)``
- ``settings_panel(*, user)``: sections of the settings page (notification choices, the API's access tokens)
- ``activity_panel(*, activity, viewer, access)``: on a calendar activity's page
- ``reminder_links(*, activity)``: ``{"label", "url"}`` lines for an activity's reminder email
- ``moderation_count(*, here)``: ``[(tab, count expression)]`` of what waits for a community's moderators,
  counted by a subquery on ``here`` (the community's ``OuterRef("pk")``): the tabs show them, in one query
- ``setup_step(*, community)``: ``{"label", "done", "url", "hint"}`` steps of a new community's
  guided setup on its manage page (one query each)
"""

from collections import defaultdict

_registry = defaultdict(list)


def register(slot, function, *, order=50):
    """Add ``function`` to ``slot``; lower ``order`` shows first. Registering twice is a no-op."""
    entries = _registry[slot]
    if any(existing is function for _order, existing in entries):
        return
    entries.append((order, function))
    entries.sort(key=lambda entry: entry[0])


def panel(slot, *, order=50):
    """Decorator form of :func:`register`."""

    def decorator(function):
        register(slot, function, order=order)
        return function

    return decorator


def collect(slot, **kwargs):
    """Every non-empty panel registered in ``slot``, in order."""
    panels = []
    for _order, function in _registry[slot]:
        result = function(**kwargs)
        if result:
            panels.append(result)
    return panels
