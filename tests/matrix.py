"""The authorization matrix: every URL under /c/<slug>/ for every kind of community and viewer.

Each app lists its community URLs in ``tests/<app>/url_rules.py`` as ``RULES = {url_name: Rule(...)}``.
The matrix test walks the URL resolver; a URL under ``c/<slug:slug>/`` that no app gave a rule
fails the test, so nobody can add a page without saying who may open it.

A rule names the permission the URL needs (``view``, ``see``, ``post``, ``schedule``, ``moderate``,
``manage``, as in communities.permissions) and how to build the rest of its URL: ``kwargs`` is a
function ``(community, author) -> dict`` that creates whatever objects the URL points at (written
by ``author``, a member who is not the viewer) and returns the URL kwargs other than ``slug``.
Text that only members may read should contain ``SECRET_MARKER`` so the test can check it never
reaches an outsider.

Expected answers, written here independently of communities.permissions:
- an outsider (anonymous, logged-in non-member, pending requester) asking for anything in a
  hidden community: 404, and the community's name appears nowhere in the response;
- allowed: anything but 401/403/404/405 and never a 5xx;
- denied, anonymous: a redirect to the login page;
- denied, logged in: 403;
- a denied response never contains SECRET_MARKER.
``expect`` overrides this for URLs with their own rules (token feeds, one-click unsubscribe):
a function ``(visibility, role) -> set of acceptable status codes``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from communities.models import JoinRequest
from tests.factories import MembershipFactory, UserFactory

SECRET_MARKER = "MEMBERS-ONLY-CONTENT-7f3a"
ROLES = ("anonymous", "outsider", "requester", "member", "moderator", "staff")
VISIBILITIES = ("public", "members", "hidden")


def _no_kwargs(community, author):
    return {}


@dataclass(frozen=True)
class Rule:
    need: str
    method: str = "GET"
    kwargs: Callable = _no_kwargs
    data: dict = field(default_factory=dict)
    expect: Callable | None = None


def make_viewer(role, community):
    """A viewer of ``community`` in one of ROLES (None for anonymous)."""
    if role == "anonymous":
        return None
    if role == "staff":
        return UserFactory(is_staff=True)
    user = UserFactory()
    if role == "requester":
        JoinRequest.objects.create(community=community, user=user, message="please")
    elif role in ("member", "moderator"):
        MembershipFactory(user=user, community=community, is_moderator=role == "moderator")
    return user


def is_allowed(visibility, role, need):
    if role == "staff":
        return True
    insider = role in ("member", "moderator")
    return {
        "view": visibility != "hidden" or insider,
        "see": visibility == "public" or insider,
        "post": insider,
        "schedule": role == "moderator",
        "moderate": role == "moderator",
        "manage": role == "moderator",
    }[need]


def all_rules():
    """Every app's RULES, found as tests/<app>/url_rules.py (a new app's file is picked up by itself)."""
    rules = {}
    for path in sorted(Path(__file__).parent.glob("*/url_rules.py")):
        rules.update(import_module(f"tests.{path.parent.name}.url_rules").RULES)
    return rules
