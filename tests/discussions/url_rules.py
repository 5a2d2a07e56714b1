"""Who may open each discussions URL under /c/<slug>/ (see tests/matrix.py)."""

from discussions.models import Flag
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.matrix import SECRET_MARKER, Rule


def _thread(community, author):
    thread = ThreadFactory(community=community, author=author, title=f"Thread {SECRET_MARKER}", body=SECRET_MARKER)
    return {"thread_id": thread.pk}


def _thread_slug(community, author):
    thread = ThreadFactory(community=community, author=author, title="Loops", body=SECRET_MARKER)
    return {"thread_id": thread.pk, "thread_slug": thread.slug}


def _post(community, author):
    thread = ThreadFactory(community=community, author=author, body=SECRET_MARKER)
    post = PostFactory(thread=thread, author=author, body=SECRET_MARKER, body_html=f"<p>{SECRET_MARKER}</p>")
    return {"thread_id": thread.pk, "post_id": post.pk}


def _flag(community, author):
    thread = ThreadFactory(community=community, author=author, body=SECRET_MARKER)
    flag = Flag.objects.create(community=community, thread=thread, reporter=author, reason=SECRET_MARKER)
    return {"flag_id": flag.pk}


def _author_or_moderator(visibility, role):
    """Only the author (never the matrix viewer) and moderators may see edit histories and accept answers."""
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return {404}
    if role == "anonymous":
        return {302}
    if role in ("moderator", "staff"):
        return {200, 302}
    return {403}


RULES = {
    "discussions:list": Rule("see"),
    "discussions:new": Rule("post"),
    "discussions:similar": Rule("post", data={"title": "loops"}),
    "discussions:preview": Rule("post", method="POST", data={"body": "hello"}),
    "discussions:thread": Rule("see", kwargs=_thread),
    "discussions:thread_slug": Rule("see", kwargs=_thread_slug),
    "discussions:reply": Rule("post", method="POST", kwargs=_thread, data={"body": "A reply"}),
    "discussions:edit_thread": Rule("post", kwargs=_thread, expect=_author_or_moderator),
    "discussions:thread_history": Rule("post", kwargs=_thread, expect=_author_or_moderator),
    "discussions:follow": Rule("post", method="POST", kwargs=_thread, data={"follow": "1"}),
    "discussions:mark_read": Rule("see", method="POST", kwargs=_thread, data={"upto": "0"}),
    "discussions:flag_thread": Rule("post", kwargs=_thread),
    "discussions:moderate_thread": Rule("moderate", method="POST", kwargs=_thread, data={"action": "pin"}),
    "discussions:post_link": Rule("see", kwargs=_post),
    "discussions:edit_post": Rule("post", kwargs=_post, expect=_author_or_moderator),
    "discussions:delete_post": Rule("post", method="POST", kwargs=_post, expect=_author_or_moderator),
    "discussions:post_history": Rule("post", kwargs=_post, expect=_author_or_moderator),
    "discussions:helpful": Rule("post", method="POST", kwargs=_post),
    "discussions:accept": Rule("post", method="POST", kwargs=_post, expect=_author_or_moderator),
    "discussions:flag_post": Rule("post", kwargs=_post),
    "discussions:moderate_post": Rule("moderate", method="POST", kwargs=_post, data={"action": "restore"}),
    "discussions:moderation": Rule("moderate"),
    "discussions:moderation_log": Rule("moderate"),
    "discussions:dismiss_flag": Rule("moderate", method="POST", kwargs=_flag),
}
