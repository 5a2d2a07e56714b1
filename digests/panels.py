"""The "What needs me" panel: the site home shows it first, from the same selection as the digest."""

from digests.selectors import calls_to_action


def site_home_panel(*, user):
    """What needs ``user`` in the coming month; a fixed number of queries."""
    return {
        "template": "digests/includes/what_needs_me.html",
        "slot": "what_needs_me",
        "calls": calls_to_action(user=user),
    }
