"""Who may do what in a community: the one place every app asks.

Views get an ``Access`` through ``community_view`` (or ``access_for``) and ask
it; templates receive it as ``access`` and ask the same properties. Nothing
else compares roles.

Visibility rules (DESIGN.md):
- public: anyone may read; members post.
- members-only: listed, its about page is open, its content is for members.
- hidden: not listed; to anyone who is not a member it does not exist (404).
Site staff may see and moderate everything.
"""

from dataclasses import dataclass
from functools import cache, cached_property, wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404

from accounts.models import User
from communities.models import Community, JoinRequest, Membership
from core.compiled import Compiled
from core.search import Scope

_UNSET = object()

# What a view may require, in the order a request is checked.
NEEDS = ("view", "see", "post", "schedule", "moderate", "manage")


@dataclass(frozen=True)
class Access:
    community: Community
    # A User, or an AnonymousUser/None for visitors. Any, because services read it only after a
    # may_* check has ruled visitors out, and there it is always a User.
    user: Any
    membership: Membership | None

    @property
    def is_authenticated(self):
        return bool(self.user and self.user.is_authenticated)

    @property
    def is_staff(self):
        return self.is_authenticated and self.user.is_staff

    @property
    def is_member(self):
        return self.membership is not None

    @property
    def is_moderator(self):
        return self.membership is not None and self.membership.is_moderator

    @property
    def is_district_leader(self):
        return self.membership is not None and self.membership.is_district_leader

    # -- reading ---------------------------------------------------------
    @property
    def may_view(self):
        """May know the community exists and read its about page."""
        return not self.community.is_hidden or self.is_member or self.is_staff

    @property
    def may_see(self):
        """May read its content: discussions, resources, calendar, polls, members."""
        return self.community.is_public or self.is_member or self.is_staff

    # -- writing ---------------------------------------------------------
    @property
    def may_post(self):
        """May start threads, reply, submit resources, RSVP, vote."""
        return self.is_member or self.is_staff

    @property
    def may_schedule(self):
        """May schedule activities and run polls: district leaders and moderators."""
        return self.is_moderator or self.is_district_leader or self.is_staff

    @property
    def may_moderate(self):
        """May curate, hide, pin, lock, review flags and resources."""
        return self.is_moderator or self.is_staff

    @property
    def may_manage(self):
        """May change settings, focus areas, roles, requests and invitations."""
        return self.is_moderator or self.is_staff

    @property
    def confirmed_district_id(self):
        """The member's district here once confirmed (None while pending or for non-members)."""
        return self.membership.confirmed_district_id if self.membership is not None else None

    def may_act_for_district(self, district_id):
        """May mark a district's duty done or reopen it: its confirmed members (its district leaders
        among them) and the community's managers. Pending, other districts' and former members may not."""
        if self.may_manage:
            return True
        return district_id is not None and self.is_member and self.confirmed_district_id == district_id

    def may_confirm_district_of(self, membership):
        """May confirm (or turn down) the district a member chose: managers and that district's leaders."""
        if self.may_manage:
            return True
        return (
            self.is_district_leader
            and membership.district_id is not None
            and self.confirmed_district_id == membership.district_id
        )

    @cached_property
    def moderation_counts(self):
        """{tab: count} of what waits for moderators (the community tabs show it): one query, moderators only."""
        if not self.may_moderate:
            return {}
        from communities.selectors import moderation_counts

        return moderation_counts(community=self.community)

    # -- joining ---------------------------------------------------------
    @cached_property
    def has_pending_request(self):
        if not self.is_authenticated or self.is_member:
            return False
        return JoinRequest.objects.filter(
            community=self.community, user=self.user, status=JoinRequest.Status.PENDING
        ).exists()

    @property
    def may_join(self):
        """May join at once (open communities)."""
        return (
            self.is_authenticated
            and not self.is_member
            and self.may_view
            and self.community.join_policy == Community.JoinPolicy.OPEN
        )

    @property
    def may_request_to_join(self):
        return (
            self.is_authenticated
            and not self.is_member
            and self.may_view
            and self.community.join_policy == Community.JoinPolicy.REQUEST
        )

    # -- objects ---------------------------------------------------------
    def may_edit(self, author_id):
        """May edit an object written by ``author_id``: its author (still a member) or a moderator."""
        return self.may_moderate or (self.may_post and self.is_authenticated and author_id == self.user.pk)

    def allows(self, need):
        return {
            "view": self.may_view,
            "see": self.may_see,
            "post": self.may_post,
            "schedule": self.may_schedule,
            "moderate": self.may_moderate,
            "manage": self.may_manage,
        }[need]


def membership_of(user, community):
    """``user``'s membership of ``community``, or None: one query, compiled once per process (core.compiled)."""
    if not user or not user.is_authenticated:
        return None
    found = _membership_statement()(person=user.pk, community=community.pk)
    return found[0] if found else None


@cache
def _statements() -> tuple[Compiled, Compiled]:
    def membership(person, community):
        rows = Membership.objects.filter(user_id=person, community_id=community)
        return (rows if rows.ordered else rows.order_by("pk"))[:1]  # as ``first()``

    return Compiled(membership, person=int, community=int), Compiled(
        lambda slug: Community.objects.filter(slug=slug)[:1], slug=str
    )


def _membership_statement() -> Compiled:
    return _statements()[0]


def community_by_slug(slug):
    """The community at ``slug`` (Http404 if none): one query, compiled once per process."""
    found = _statements()[1](slug=slug)
    if not found:
        raise Http404("No community found.")
    return found[0]


def access_for(user, community, membership=_UNSET):
    """The Access of ``user`` to ``community``: one query (the membership) unless it is given."""
    if membership is _UNSET:
        membership = membership_of(user, community)
    return Access(community=community, user=user, membership=membership)


def check(access, need, request=None):
    """Raise what an outsider should get when ``access`` lacks ``need``.

    Hidden communities answer 404 to anyone who may not know they exist; an
    anonymous visitor is sent to log in; a logged-in outsider gets 403.
    """
    if not access.may_view:
        raise Http404("No community found.")
    if access.allows(need):
        return None
    if request is not None and not access.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_DENIED_MESSAGES[need])


_DENIED_MESSAGES = {
    "view": "You may not see this community.",
    "see": "This community's content is for its members. Ask to join from its home page.",
    "post": "Only members of this community can do that. Join it first.",
    "schedule": "Only district leaders and moderators of this community can do that.",
    "moderate": "Only moderators of this community can do that.",
    "manage": "Only moderators of this community can manage it.",
}


def community_view(need="see"):
    """Decorate a view taking ``(request, slug, ...)``; it is called as ``(request, access, ...)``.

    Costs two queries (community and membership) and applies ``check``.
    """
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            community = community_by_slug(slug)
            access = access_for(request.user, community)
            denied = check(access, need, request)
            if denied is not None:
                return denied
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorator


def visible_q(user, prefix=""):
    """A Q for communities whose content ``user`` may see (for search, feeds, digests).

    ``prefix`` is the path to the community from the model being filtered,
    for example ``"community__"`` when filtering threads.
    """
    if user is not None and user.is_authenticated and user.is_staff:
        return Q()
    public = Q(**{f"{prefix}visibility": Community.Visibility.PUBLIC})
    if user is None or not user.is_authenticated:
        return public
    return public | _member_of_q(user, prefix)


def search_scope(user):
    """The communities ``user`` may search, as a ``core.search.Scope`` with their slugs and names: one query,
    compiled once per process for staff, for members and for visitors (building it cost 1.5-2 ms of CPU)."""
    staff = user is not None and user.is_authenticated and user.is_staff
    if staff:
        rows = _scope_statement("staff")()
    elif user is not None and user.is_authenticated:
        rows = _scope_statement("member")(member=user.pk)
    else:
        rows = _scope_statement("visitor")()
    return Scope(
        everything=staff,
        visible=tuple(pk for pk, _slug, _name, seen in rows if seen),
        hidden=tuple(pk for pk, _slug, _name, seen in rows if not seen),
        max_id=rows[-1][0] if rows else 0,
        communities=tuple(sorted(((pk, slug, name) for pk, slug, name, seen in rows if seen), key=lambda c: c[2])),
    )


@cache
def _scope_statement(who: str) -> Compiled:
    """(id, slug, name, whether ``who`` may see its content) of every community, by id."""

    def build(**member):
        viewer = AnonymousUser() if who == "visitor" else User(pk=member.get("member", 0), is_staff=who == "staff")
        seen = ExpressionWrapper(visible_q(viewer), output_field=BooleanField())
        return Community.objects.annotate(seen=seen).order_by("pk").values_list("pk", "slug", "name", "seen")

    return Compiled(build, **({"member": int} if who == "member" else {}))


def _member_of_q(user, prefix):
    # A subquery, not a join: joining memberships would repeat every row once
    # per member of a public community.
    mine = Membership.objects.filter(user=user).values("community_id")
    return Q(**{f"{prefix}pk__in" if prefix == "" else f"{prefix}id__in": mine})


def readers_q(community, prefix=""):
    """A Q over people: those who may read ``community``'s content (``Access.may_see``), in one subquery.

    ``prefix`` is the path to the user from the model being filtered (``"user__"`` for subscriptions).
    """
    if community.is_public:
        return Q()
    members = Membership.objects.filter(community=community).values("user_id")
    return Q(**{f"{prefix}is_staff": True}) | Q(**{f"{prefix}id__in" if prefix else "pk__in": members})


def listed_q(user, prefix=""):
    """A Q for communities ``user`` may know exist (directory, profiles)."""
    if user is not None and user.is_authenticated and user.is_staff:
        return Q()
    not_hidden = ~Q(**{f"{prefix}visibility": Community.Visibility.HIDDEN})
    if user is None or not user.is_authenticated:
        return not_hidden
    return not_hidden | _member_of_q(user, prefix)


def may_create_community(user):
    return bool(user and user.is_authenticated and (user.is_staff or user.can_create_communities))
