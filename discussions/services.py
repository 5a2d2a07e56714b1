"""Every write in discussions: keyword-only, one transaction, permission checked inside.

Services raise ``PermissionDenied`` (403), ``Http404`` for objects the actor may not
know about, ``ValidationError`` for bad input and ``RateLimited`` (429) when someone
posts faster than ``settings.POST_RATE_LIMIT`` allows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from communities.models import Community, FocusArea, Membership
from communities.permissions import Access, access_for
from core import ratelimit
from core.text import MENTION_RE, render_markdown
from discussions import signals
from discussions.models import (
    BODY_MAX,
    REASON_MAX,
    TITLE_MAX,
    Flag,
    KnownWord,
    Mention,
    ModerationLogEntry,
    Post,
    Reaction,
    ReadMark,
    Revision,
    SearchWord,
    SearchWordProgress,
    Subscription,
    Thread,
)
from notifications import kinds
from notifications.services import notify

MAX_MENTIONS = 20


# -- helpers --------------------------------------------------------------------------


def throttle_posting(user: User) -> None:
    """Count one post by ``user``; raise RateLimited past settings.POST_RATE_LIMIT."""
    ratelimit.hit(
        f"post:{user.pk}",
        settings.POST_RATE_LIMIT,
        message="You are posting very quickly. Please wait {wait} seconds and try again.",
    )


def _clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "Please write something first."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"That is {len(value):,} characters; the limit is {max_length:,}. Please shorten it."}
        )
    return value


def _require(access: Access, need: str, message: str | None = None) -> None:
    if not access.allows(need):
        raise PermissionDenied(message or "Only members of this community can do that. Join it first.")


_EDIT_REFUSALS = {
    "post": "Only the author or a moderator can edit this.",
    "reply": "Only the author or a moderator can edit this reply.",
    "delete": "Only the author or a moderator can delete this reply.",
}


def check_may_edit(access: Access, *, author_id: int | None, what: str = "post") -> None:
    """Raise PermissionDenied unless ``access`` may change what ``author_id`` wrote (the author or a moderator)."""
    if not access.may_edit(author_id):
        raise PermissionDenied(_EDIT_REFUSALS[what])


def submission_key(submission: str, *texts: str) -> str:
    """The key stored with what a form submission made: its random name and a digest of its text.

    The text is part of it so a form reused after its first post (an inline reply box)
    still makes a new post for new text. Empty (no idempotence) without a valid name.
    """
    if not re.fullmatch(r"[0-9a-f]{32}", submission or ""):
        return ""
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    return f"{submission}:{digest}"


def _made_by_submission(model: type[Thread] | type[Post], author: User, key: str) -> Any:
    return model.objects.filter(author=author, submission_key=key).first() if key else None


def render_body(body: str) -> tuple[str, list[User]]:
    """Sanitized HTML for ``body`` with @mentions of real people linked, and those people.

    Mentions are found in the Markdown's text, so an @name inside `code`, a code block or
    a link is left alone and nobody is emailed for it.
    """
    names = {m.group(1).rstrip(".") for m in MENTION_RE.finditer(body)}
    if not names:
        return render_markdown(body), []
    people = {u.username.lower(): u for u in User.objects.filter(username__in=list(names)[:MAX_MENTIONS])}
    html, linked = render_markdown(body, mentions={name: u.get_absolute_url() for name, u in people.items()})
    return html, [people[name] for name in linked]


def _record_mentions(*, thread: Thread, post: Post | None, mentioned: Iterable[User], author: User) -> None:
    where = post or thread
    for person in mentioned:
        if author is not None and person.pk == author.pk:
            continue
        mention, created = Mention.objects.get_or_create(thread=thread, post=post, user=person)
        if created:
            notify(
                kind=kinds.MENTION,
                recipients=[person],
                community=thread.community_id,
                actor=author,
                target=where,
                url=where.get_absolute_url(),
                subject=thread.title,
                detail=excerpt(where.body),
                event_key=f"mention:{mention.pk}",
            )


def _log(
    *, access: Access, action: str, thread: Thread | None = None, post: Post | None = None, reason: str = ""
) -> ModerationLogEntry:
    return ModerationLogEntry.objects.create(
        community=access.community, actor=access.user, action=action, thread=thread, post=post, reason=reason[:500]
    )


def _follow(thread: Thread, user: User) -> None:
    Subscription.objects.get_or_create(thread=thread, user=user)


# -- threads ----------------------------------------------------------------------------


def _focus_area_of(community: Community, focus_area: FocusArea | None) -> FocusArea | None:
    if focus_area is None:
        return None
    if focus_area.community_id != community.pk:
        raise ValidationError({"focus_area": "Pick a focus area of this community."})
    return focus_area


def create_thread(
    *,
    author: User,
    community: Community,
    title: str,
    body: str,
    kind: str,
    focus_area: FocusArea | None = None,
    access: Access | None = None,
    submission: str = "",
) -> Thread:
    """Start a thread as ``author`` (a member; raises PermissionDenied otherwise); the author follows it.

    Rate limited per author; @mentions are emailed after commit. Idempotent per form
    ``submission``: sending the same form again returns the thread it made.
    """
    access = access or access_for(author, community)
    _require(access, "post")
    title = _clean_text(title, field="title", max_length=TITLE_MAX)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    if kind not in Thread.Kind.values:
        raise ValidationError({"kind": "Pick what kind of post this is."})
    focus_area = _focus_area_of(community, focus_area)
    key = submission_key(submission, str(community.pk), title, body)
    made = _made_by_submission(Thread, author, key)
    if made is not None:
        return made
    throttle_posting(author)
    try:
        with transaction.atomic():
            body_html, mentioned = render_body(body)
            thread = Thread.objects.create(
                community=community,
                focus_area=focus_area,
                author=author,
                title=title,
                body=body,
                body_html=body_html,
                kind=kind,
                submission_key=key,
            )
            _follow(thread, author)
            _record_mentions(thread=thread, post=None, mentioned=mentioned, author=author)
            transaction.on_commit(lambda: signals.thread_created.send(sender=Thread, thread=thread), robust=True)
    except IntegrityError:
        made = _made_by_submission(Thread, author, key)  # the same form, sent at the same moment
        if made is None:
            raise
        return made
    return thread


def edit_thread(*, access: Access, thread: Thread, title: str, body: str, kind: str | None = None) -> Thread:
    """Change a thread's title and opening text (its author or a moderator); keeps the old text as a revision."""
    check_may_edit(access, author_id=thread.author_id)
    title = _clean_text(title, field="title", max_length=TITLE_MAX)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    if kind is not None and kind not in Thread.Kind.values:
        raise ValidationError({"kind": "Pick what kind of post this is."})
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if title == thread.title and body == thread.body and (kind is None or kind == thread.kind):
            return thread
        Revision.objects.create(thread=thread, editor=access.user, title=thread.title, body=thread.body)
        thread.title, thread.body = title, body
        if kind is not None:
            thread.kind = kind
        thread.body_html, mentioned = render_body(body)
        thread.edited_at = timezone.now()
        thread.save(update_fields=["title", "body", "body_html", "kind", "edited_at"])
        _record_mentions(thread=thread, post=None, mentioned=mentioned, author=access.user)
        if access.user.pk != thread.author_id:
            _log(access=access, action=ModerationLogEntry.Action.EDIT, thread=thread)
    return thread


# -- replies ----------------------------------------------------------------------------


def _new_post(
    *, thread: Thread, author: User, body: str, parent: Post | None = None, created_at: Any = None, key: str = ""
) -> tuple[Post, list[User]]:
    """Insert a reply row and bump the thread's counters (no permission checks: callers do them)."""
    body_html, mentioned = render_body(body)
    post = Post.objects.create(
        thread=thread,
        community_id=thread.community_id,
        parent=parent,
        root_id=(parent.root_id or parent.pk) if parent else None,
        depth=(parent.depth + 1) if parent else 0,
        author=author,
        body=body,
        body_html=body_html,
        submission_key=key,
        **({"created_at": created_at} if created_at else {}),
    )
    Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=post.created_at)
    return post, mentioned


def create_reply(
    *, access: Access, thread: Thread, body: str, parent: Post | None = None, submission: str = ""
) -> Post:
    """Reply to ``thread`` (or to ``parent``, a reply in the same thread) as ``access.user``.

    Members only; not on a locked or hidden thread. The author follows the thread;
    followers and people @mentioned are emailed after commit. Rate limited. Idempotent
    per form ``submission``: the same form sent again (at once or later) returns the reply
    it made, and nobody is emailed twice.
    """
    _require(access, "post")
    if thread.community_id != access.community.pk:
        raise Http404("No such thread.")
    if thread.is_hidden and not access.may_moderate:
        raise Http404("No such thread.")
    if thread.is_locked:
        raise PermissionDenied("This thread is locked: no new replies.")
    if parent is not None and parent.thread_id != thread.pk:
        raise ValidationError({"parent": "You can only reply to a post in this thread."})
    if parent is not None and parent.is_removed and not access.may_moderate:
        raise ValidationError({"parent": "That reply was removed; reply to the thread instead."})
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    key = submission_key(submission, str(thread.pk), str(parent.pk if parent else ""), body)
    made = _made_by_submission(Post, access.user, key)
    if made is not None:
        return made
    throttle_posting(access.user)
    try:
        with transaction.atomic():
            post, mentioned = _new_post(thread=thread, author=access.user, body=body, parent=parent, key=key)
            _follow(thread, access.user)
            _record_mentions(thread=thread, post=post, mentioned=mentioned, author=access.user)
            _notify_reply(thread=thread, post=post, parent=parent, mentioned=mentioned)
            transaction.on_commit(lambda: signals.reply_created.send(sender=Post, post=post), robust=True)
    except IntegrityError:
        made = _made_by_submission(Post, access.user, key)  # the same form, sent at the same moment
        if made is None:
            raise
        return made
    return post


def excerpt(body: str, limit: int = 300) -> str:
    """The first words of a post, for a notification and its email (Markdown as written)."""
    body = " ".join(body.split())
    return body if len(body) <= limit else body[: limit - 1].rsplit(" ", 1)[0] + "…"


def _notify_reply(*, thread: Thread, post: Post, parent: Post | None, mentioned: Iterable[User]) -> None:
    """The author of the post replied to is told of the reply; the thread's followers of a new reply.

    Someone @mentioned in the reply only gets the mention: one notification per person and reply.
    """
    told: set[Any] = {person.pk for person in mentioned} | {post.author_id}
    answered = parent.author_id if parent is not None else thread.author_id
    common = {
        "community": thread.community_id,
        "actor": post.author_id,
        "target": post,
        "url": post.get_absolute_url(),
        "subject": thread.title,
        "detail": excerpt(post.body),
        "event_key": f"post:{post.pk}",
    }
    if answered and answered not in told:
        notify(kind=kinds.REPLY, recipients=[answered], **common)
        told.add(answered)
    followers = Subscription.objects.filter(thread=thread).exclude(user_id__in=told).values_list("user_id", flat=True)
    notify(kind=kinds.FOLLOWED_REPLY, recipients=list(followers), email_group=f"thread:{thread.pk}", **common)


def _notify_moderators(*, community: Community, flag: Flag, thread: Thread, post: Post | None) -> None:
    moderators = Membership.objects.filter(community=community, is_moderator=True).values_list("user_id", flat=True)
    notify(
        kind=kinds.MOD_FLAG,
        recipients=list(moderators),
        community=community,
        actor=flag.reporter_id,
        target=post or thread,
        url=reverse("discussions:moderation", kwargs={"slug": community.slug}),
        subject=thread.title,
        detail=flag.get_category_display() + (f": “{flag.reason}”" if flag.reason else ""),
        event_key=f"flag:{flag.pk}",
        group_key=f"flag:{thread.pk}:{post.pk if post else 0}",
        email_group=f"community:{community.pk}",
    )


def _notify_hidden(
    *, thread: Thread, post: Post | None, author_id: int | None, reason: str, log: ModerationLogEntry
) -> None:
    notify(
        kind=kinds.POST_HIDDEN,
        recipients=[author_id],
        community=thread.community_id,
        target=post or thread,
        # A hidden thread is no longer listed: the notification itself says why.
        url=post.get_absolute_url() if post else reverse("discussions:list", kwargs={"slug": thread.community.slug}),
        subject=thread.title,
        detail=reason,
        event_key=f"hidden:{log.pk}",
    )


def edit_post(*, access: Access, post: Post, body: str) -> Post:
    """Change a reply's text (its author or a moderator), keeping the old text as a revision."""
    if post.community_id != access.community.pk:
        raise Http404("No such reply.")
    check_may_edit(access, author_id=post.author_id, what="reply")
    if post.is_removed and not access.may_moderate:
        raise PermissionDenied("This reply was removed and can no longer be edited.")
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if body == post.body:
            return post
        Revision.objects.create(thread_id=post.thread_id, post=post, editor=access.user, body=post.body)
        post.body = body
        post.body_html, mentioned = render_body(body)
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "body_html", "edited_at"])
        _record_mentions(thread=post.thread, post=post, mentioned=mentioned, author=access.user)
        if access.user.pk != post.author_id:
            _log(access=access, action=ModerationLogEntry.Action.EDIT, thread=post.thread, post=post)
    return post


def delete_post(*, access: Access, post: Post) -> Post:
    """Soft-delete a reply (its author or a moderator): the text goes, the replies under it stay."""
    if post.community_id != access.community.pk:
        raise Http404("No such reply.")
    check_may_edit(access, author_id=post.author_id, what="delete")
    with transaction.atomic():
        # Only the first delete counts: a second click (or tab) must not take another reply off the count.
        if Post.objects.filter(pk=post.pk, is_deleted=False).update(is_deleted=True):
            Thread.objects.filter(pk=post.thread_id, reply_count__gt=0).update(reply_count=F("reply_count") - 1)
        post.is_deleted = True
    return post


# -- reactions and answers ------------------------------------------------------------------


def toggle_helpful(*, access: Access, post: Post) -> tuple[Post, bool]:
    """Mark ``post`` helpful for ``access.user``, or unmark it if already marked. Returns (post, marked)."""
    _require(access, "post")
    if post.community_id != access.community.pk:
        raise Http404("No such reply.")
    if post.is_removed:
        raise ValidationError("That reply was removed.")
    if access.user.pk == post.author_id:
        raise ValidationError("You can't mark your own reply as helpful.")
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(post=post, user=access.user, kind=Reaction.Kind.HELPFUL).delete()
        if deleted:
            delta, marked = -1, False
        else:
            try:
                with transaction.atomic():
                    Reaction.objects.create(post=post, user=access.user, kind=Reaction.Kind.HELPFUL)
            except IntegrityError:  # a double click raced us: it is marked already
                return _reload_counts(post), True
            delta, marked = 1, True
            notify(
                kind=kinds.HELPFUL,
                recipients=[post.author_id],
                community=access.community,
                actor=access.user,
                target=post,
                url=post.get_absolute_url(),
                subject=post.thread.title,
                event_key=f"helpful:{post.pk}:{access.user.pk}",
                group_key=f"helpful:{post.pk}",
            )
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + delta)
        Thread.objects.filter(pk=post.thread_id).update(helpful_count=F("helpful_count") + delta)
    return _reload_counts(post), marked


def _reload_counts(post: Post) -> Post:
    post.helpful_count = Post.objects.values_list("helpful_count", flat=True).get(pk=post.pk)
    return post


def accept_answer(*, access: Access, thread: Thread, post: Post) -> Thread:
    """Mark ``post`` as the answer to question ``thread``: the asker or a moderator. Accepting it again un-marks it."""
    if thread.community_id != access.community.pk or post.thread_id != thread.pk:
        raise Http404("No such reply in this thread.")
    if not thread.is_question:
        raise ValidationError("Only questions have an accepted answer.")
    if not access.may_edit(thread.author_id):
        raise PermissionDenied("Only the person who asked, or a moderator, can accept an answer.")
    if post.is_removed:
        raise ValidationError("A removed reply can't be the answer.")
    with transaction.atomic():
        thread.accepted_post = None if thread.accepted_post_id == post.pk else post
        thread.save(update_fields=["accepted_post"])
        if thread.accepted_post_id:
            notify(
                kind=kinds.ANSWER_ACCEPTED,
                recipients=[post.author_id],
                community=access.community,
                actor=access.user,
                target=post,
                url=post.get_absolute_url(),
                subject=thread.title,
                event_key=f"accepted:{post.pk}",
            )
    return thread


def set_following(*, access: Access, thread: Thread, follow: bool) -> Thread:
    """Follow or unfollow a thread (members)."""
    _require(access, "post")
    if follow:
        _follow(thread, access.user)
    else:
        Subscription.objects.filter(thread=thread, user=access.user).delete()
    return thread


# -- flags and moderation -----------------------------------------------------------------


AUTO_HIDDEN_REASON = "Hidden for now: several members flagged it. A moderator will look at it."


def flag(
    *, access: Access, thread: Thread, post: Post | None = None, reason: str = "", category: str = Flag.Category.OTHER
) -> Flag:
    """A member asks moderators to look at a thread opening or a reply. One open flag per person and item.

    ``category`` is one of ``Flag.Category`` (a reason is needed for "other"). Once
    ``settings.FLAG_AUTO_HIDE_COUNT`` different members have flagged it, it is hidden until a
    moderator decides, and its author is told. Rate limited per member
    (settings.FLAG_RATE_LIMIT): RateLimited past it.
    """
    _require(access, "post")
    if thread.community_id != access.community.pk or (post is not None and post.thread_id != thread.pk):
        raise Http404("No such post.")
    if category not in Flag.Category.values:
        raise ValidationError({"category": "Pick one of the reasons listed."})
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX, required=category == Flag.Category.OTHER)
    open_flags = Flag.objects.filter(reporter=access.user, thread=thread, post=post, status=Flag.Status.OPEN)
    existing = open_flags.first()
    if existing:
        return existing
    ratelimit.hit(
        f"flag:{access.user.pk}",
        settings.FLAG_RATE_LIMIT,
        message="You have flagged a lot in a short time. Please wait {wait} seconds; the moderators are on it.",
    )
    try:
        with transaction.atomic():
            made = Flag.objects.create(
                community=access.community,
                thread=thread,
                post=post,
                reporter=access.user,
                reason=reason,
                category=category,
            )
            _notify_moderators(community=access.community, flag=made, thread=thread, post=post)
            _hide_when_flagged_enough(thread=thread, post=post)
            return made
    except IntegrityError:  # the same person flagged it at the same moment in another tab
        return open_flags.get()


def _hide_when_flagged_enough(*, thread: Thread, post: Post | None) -> None:
    """Hide what enough different members flagged (settings.FLAG_AUTO_HIDE_COUNT) until a moderator decides."""
    reporters = (
        Flag.objects.filter(thread=thread, post=post, status=Flag.Status.OPEN).values("reporter_id").distinct().count()
    )
    if reporters < settings.FLAG_AUTO_HIDE_COUNT:
        return
    target = post or thread
    model = type(target)
    if not model.objects.filter(pk=target.pk, is_hidden=False).update(is_hidden=True, hidden_reason=AUTO_HIDDEN_REASON):
        return  # hidden already
    target.is_hidden, target.hidden_reason = True, AUTO_HIDDEN_REASON
    entry = ModerationLogEntry.objects.create(
        community_id=thread.community_id,
        actor=None,
        action=ModerationLogEntry.Action.HIDE,
        thread=thread,
        post=post,
        reason=f"Automatically, after {reporters} flags",
    )
    if target.author_id:
        _notify_hidden(thread=thread, post=post, author_id=target.author_id, reason=AUTO_HIDDEN_REASON, log=entry)


def _close_flags(*, access: Access, thread: Thread, post: Post | None, status: str) -> None:
    Flag.objects.filter(thread=thread, post=post, status=Flag.Status.OPEN).update(
        status=status, resolved_by=access.user, resolved_at=timezone.now()
    )


def moderate_thread(
    *, access: Access, thread: Thread, action: str, reason: str = "", focus_area: FocusArea | None = None
) -> Thread:
    """Pin, unpin, lock, unlock, hide, restore or move a thread (moderators); every action is logged."""
    _require(access, "moderate", "Only moderators of this community can do that.")
    if thread.community_id != access.community.pk:
        raise Http404("No such thread.")
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX, required=action == "hide")
    Action = ModerationLogEntry.Action
    changes: dict[str, dict[str, Any]] = {
        Action.PIN: {"is_pinned": True},
        Action.UNPIN: {"is_pinned": False},
        Action.LOCK: {"is_locked": True},
        Action.UNLOCK: {"is_locked": False},
        Action.HIDE: {"is_hidden": True, "hidden_reason": reason},
        Action.RESTORE: {"is_hidden": False, "hidden_reason": ""},
    }
    with transaction.atomic():
        if action == Action.MOVE:
            if focus_area is not None and focus_area.community_id != access.community.pk:
                raise ValidationError({"focus_area": "Pick a focus area of this community."})
            thread.focus_area = focus_area
            thread.save(update_fields=["focus_area"])
            reason = reason or (f"to {focus_area.name}" if focus_area else "out of its focus area")
        elif action in changes:
            for field, value in changes[action].items():
                setattr(thread, field, value)
            thread.save(update_fields=list(changes[action]))
        else:
            raise ValidationError("Unknown moderation action.")
        if action == Action.HIDE:
            _close_flags(access=access, thread=thread, post=None, status=Flag.Status.ACTIONED)
        entry = _log(access=access, action=action, thread=thread, reason=reason)
        if action == Action.HIDE and thread.author_id:
            _notify_hidden(thread=thread, post=None, author_id=thread.author_id, reason=reason, log=entry)
    return thread


def moderate_post(*, access: Access, post: Post, action: str, reason: str = "") -> Post:
    """Hide (with a reason) or restore a reply (moderators); the replies under it stay readable. Logged."""
    _require(access, "moderate", "Only moderators of this community can do that.")
    if post.community_id != access.community.pk:
        raise Http404("No such reply.")
    Action = ModerationLogEntry.Action
    if action not in (Action.HIDE, Action.RESTORE):
        raise ValidationError("Unknown moderation action.")
    reason = _clean_text(reason, field="reason", max_length=REASON_MAX, required=action == Action.HIDE)
    with transaction.atomic():
        post.is_hidden = action == Action.HIDE
        post.hidden_reason = reason if post.is_hidden else ""
        post.save(update_fields=["is_hidden", "hidden_reason"])
        if post.is_hidden:
            _close_flags(access=access, thread=post.thread, post=post, status=Flag.Status.ACTIONED)
        entry = _log(access=access, action=action, thread=post.thread, post=post, reason=reason)
        if post.is_hidden and post.author_id:
            _notify_hidden(thread=post.thread, post=post, author_id=post.author_id, reason=reason, log=entry)
    return post


def dismiss_flag(*, access: Access, flag: Flag) -> Flag:
    """Close a flag without acting on the content (moderators). Logged."""
    _require(access, "moderate", "Only moderators of this community can do that.")
    if flag.community_id != access.community.pk:
        raise Http404("No such flag.")
    with transaction.atomic():
        _close_flags(access=access, thread=flag.thread, post=flag.post, status=Flag.Status.DISMISSED)
        # Hidden only because of the flags: the moderator's "nothing wrong" brings it back.
        target = flag.post or flag.thread
        type(target).objects.filter(pk=target.pk, hidden_reason=AUTO_HIDDEN_REASON).update(
            is_hidden=False, hidden_reason=""
        )
        _log(access=access, action=ModerationLogEntry.Action.DISMISS_FLAG, thread=flag.thread, post=flag.post)
    flag.refresh_from_db()
    return flag


# -- the word list behind "Did you mean" --------------------------------------------------

SEARCH_WORD_BATCH = 50_000
_WORD_SOURCES = {
    # source: (table, the text of a row, which rows count)
    "threads": (Thread._meta.db_table, "title || ' ' || body", "NOT is_hidden"),
    "posts": (Post._meta.db_table, "body", "NOT is_hidden AND NOT is_deleted"),
}


def refresh_search_words(*, full: bool = False, batch: int = SEARCH_WORD_BATCH) -> int:
    """Count the words of openings and replies written since the last run into ``SearchWord`` (and each new
    word into ``KnownWord``); PostgreSQL only.

    Reads each table in id batches past ``SearchWordProgress``, one transaction per batch
    with the progress row locked, so two runs never count a row twice and a killed run
    resumes where it stopped. ``full`` starts again from nothing. Returns the rows read.
    """
    if connection.vendor != "postgresql":
        return 0
    if full:
        with transaction.atomic():
            SearchWord.objects.all().delete()
            KnownWord.objects.all().delete()
            SearchWordProgress.objects.all().delete()
    read = 0
    for source, (table, text, visible) in _WORD_SOURCES.items():
        SearchWordProgress.objects.get_or_create(source=source)
        while True:
            with transaction.atomic():
                progress = SearchWordProgress.objects.select_for_update().get(source=source)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT max(id), count(*) FROM (SELECT id FROM {table} WHERE id > %s "  # noqa: S608
                        "ORDER BY id LIMIT %s) AS b",
                        [progress.last_id, batch],
                    )
                    last, count = cursor.fetchone()
                    if not count:
                        break
                    cursor.execute(_COUNT_WORDS.format(words=SearchWord._meta.db_table, known=KnownWord._meta.db_table,
                                                       table=table, text=text, visible=visible),
                                   [progress.last_id, last])  # fmt: skip
                progress.last_id = last
                progress.save(update_fields=["last_id"])
                read += count
    return read


# Each row's distinct words ('simple': lower case, not stemmed), alphabetic, 3 to 40 letters, counted per
# community; and each word once in the known words.
_COUNT_WORDS = """
    WITH counted AS MATERIALIZED (
        SELECT community_id, word, count(*) AS documents
        FROM (
            SELECT community_id, unnest(tsvector_to_array(to_tsvector('simple', {text}))) AS word
            FROM {table} WHERE id > %s AND id <= %s AND {visible}
        ) AS w
        WHERE length(word) BETWEEN 3 AND 40 AND word ~ '^[[:alpha:]]+$'
        GROUP BY community_id, word
    ), added AS (
        INSERT INTO {words} (community_id, word, lexeme, documents)
        SELECT community_id, word, coalesce((ts_lexize('english_stem', word))[1], ''), documents FROM counted
        ON CONFLICT (word, community_id) DO UPDATE SET documents = {words}.documents + EXCLUDED.documents
    )
    INSERT INTO {known} (word) SELECT DISTINCT word FROM counted ON CONFLICT (word) DO NOTHING
"""


# -- reading position ------------------------------------------------------------------------


def mark_thread_read(*, access: Access, thread: Thread, upto: int) -> ReadMark:
    """Record that ``access.user`` has read ``thread`` up to its post ``upto`` (0: the opening).

    The thread page POSTs this after it loads (never inside the GET). The mark only moves forward, so an
    older page reloaded in another tab does not bring back replies already read. ``upto`` must be 0 or
    a post of this thread (ValidationError otherwise).
    """
    if thread.community_id != access.community.pk:
        raise Http404("No such thread.")
    if not access.is_authenticated or not access.may_see:
        raise PermissionDenied("Log in to keep track of what you have read.")
    if upto and not Post.objects.filter(pk=upto, thread=thread).exists():
        raise ValidationError("That reply is not in this thread.")
    now = timezone.now()
    with transaction.atomic():
        mark, created = ReadMark.objects.get_or_create(
            user=access.user, thread=thread, defaults={"upto": upto, "read_at": now}
        )
        if not created:
            ReadMark.objects.filter(pk=mark.pk).update(upto=Greatest(F("upto"), Value(upto)), read_at=now)
    mark.refresh_from_db()
    return mark
