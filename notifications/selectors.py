"""Reads of notifications the bell, the page and the emails share.

Every read filters on what the person may see *now* (``communities.permissions.visible_q``):
someone who left a members-only community no longer sees its notifications, old ones included,
and a moderator's kinds (flags, submissions, join requests, broken links) show only while the
person still moderates that community.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from functools import cache

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from communities.permissions import visible_q
from core.compiled import Counted
from notifications import kinds
from notifications.models import Notification

MODERATOR_KINDS = [kind.key for kind in kinds.KINDS.values() if kind.moderators]

PAGE_SIZE = 50
UNREAD_CAP = 99  # the bell says "99+" past this; counting further is wasted work


def visible_notifications(user: User) -> QuerySet[Notification]:
    """``user``'s notifications about communities they may see now (and site-wide ones).

    Moderators' kinds only where ``user`` moderates the community now (staff see everything).
    """
    rows = Notification.objects.filter(recipient=user)
    seen = visible_q(user, "community__")
    # Staff see everything: visible_q is an empty Q, and ``Q(...) | Q()`` would drop it rather than match all.
    if seen:
        rows = rows.filter(Q(community__isnull=True) | seen)
    if not user.is_staff:
        moderates = Membership.objects.filter(user=user, is_moderator=True).values("community_id")
        rows = rows.filter(~Q(kind__in=MODERATOR_KINDS) | Q(community_id__in=moderates))
    return rows


def unread_count(user: User) -> int:
    """How many unread notifications ``user`` has, up to ``UNREAD_CAP + 1``: one query on a partial index.

    Not cached, so every logged-in page costs exactly one query for the bell, whatever happened
    since (a cached count would need dropping on every notification, read and change of membership).
    The SQL is the ORM's, compiled once per process for staff and once for everyone else
    (core.compiled): building it was most of the bell's cost on every page.
    """
    return _unread_statement(bool(user.is_staff))(member=user.pk)


@cache
def _unread_statement(is_staff: bool) -> Counted:
    def unread(member):
        return visible_notifications(User(pk=member, is_staff=is_staff)).filter(read_at=None)[: UNREAD_CAP + 1]

    return Counted(unread, member=int)


def notifications_page(user: User, *, before: int | None = None) -> tuple[list[Notification], bool]:
    """A page of ``user``'s notifications, newest first, from before ``before`` (an id): 1 query.

    Returns (rows, has_more). Rows come with their actor and community.
    """
    rows = visible_notifications(user).select_related("actor", "community")
    if before:
        rows = rows.filter(pk__lt=before)
    found = list(rows.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def by_day(rows: Iterable[Notification]) -> list[tuple[dt.date, list[Notification]]]:
    """[(day, [rows])] in the current (the viewer's) time zone."""
    return [
        (day, list(group))
        for day, group in itertools.groupby(rows, key=lambda row: timezone.localtime(row.created_at).date())
    ]


def recipient_may_see_q() -> Q:
    """A Q over notifications: the recipient may still see the notification's community (for emails)."""
    member = Membership.objects.filter(user_id=OuterRef("recipient_id"), community_id=OuterRef("community_id"))
    moderator = member.filter(is_moderator=True)
    sees = (
        Q(community__isnull=True)
        | Q(community__visibility=Community.Visibility.PUBLIC)
        | Q(recipient__is_staff=True)
        | Q(Exists(member))
    )
    return sees & (~Q(kind__in=MODERATOR_KINDS) | Q(recipient__is_staff=True) | Q(Exists(moderator)))


def due_for_email(now: dt.datetime | None = None) -> QuerySet[Notification]:
    """Notifications whose email is due and not yet handled, oldest first."""
    now = now or timezone.now()
    return Notification.objects.filter(emailed_at=None, email_due_at__lte=now).order_by("email_due_at", "id")
