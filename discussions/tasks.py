"""Emails about discussions (mentions, replies to followed threads), sent by Celery through core.mail.

Each task takes ids; every recipient has one delivery row (its key names the post and the
person), so running a task twice, or retrying it after an SMTP failure, sends nobody twice.
"""

from celery import shared_task

from accounts.emails import opt_out_url
from communities.permissions import access_for, readers_q
from core import mail
from core.links import absolute_url
from core.tasks import EMAIL_TASK_OPTIONS, retry_later
from discussions import services
from discussions.models import Mention, Post, Subscription


def _compose(*, kind, key, person, author, thread, text, html, url):
    return mail.compose(
        kind=kind,
        template=f"discussions/email/{kind}",
        to=person.email,
        key=key,
        context={"person": person, "author": author, "thread": thread, "text": text, "html": html, "url": url},
        ref=("thread", thread.pk),
        unsubscribe_url=opt_out_url(person, kind),
    )


@shared_task(name="discussions.send_mention_email", **EMAIL_TASK_OPTIONS)
def send_mention_email(self, mention_id):
    """Email the person @mentioned, once, if they want mention emails and may see the community."""
    mention = (
        Mention.objects.select_related("user", "thread__community", "post__author", "thread__author")
        .filter(pk=mention_id)
        .first()
    )
    if mention is None:
        return False
    thread, post, person = mention.thread, mention.post, mention.user
    if not (person.is_active and person.email and person.email_on_mention):
        return False
    if not access_for(person, thread.community).may_see:
        return False
    if thread.is_hidden or (post is not None and post.is_removed):
        return False
    email = _compose(
        kind="mention",
        key=f"mention:{mention.pk}",
        person=person,
        author=post.author if post is not None else thread.author,
        thread=thread,
        text=(post or thread).body,
        html=(post or thread).body_html,
        url=absolute_url((post or thread).get_absolute_url()),
    )
    return bool(retry_later(self, mail.send([email])).sent)


@shared_task(name="discussions.notify_followers", **EMAIL_TASK_OPTIONS)
def notify_followers(self, post_id):
    """Email the followers of the reply's thread (not its author), once each, if they want it and may see it.

    A fixed number of queries and one SMTP connection whatever the number of followers
    (plus the one-row "sent" mark after each message). Returns the number sent now.
    """
    post = Post.objects.select_related("author", "thread__community").filter(pk=post_id).first()
    if post is None or post.is_removed or post.thread.is_hidden:
        return 0
    thread = post.thread
    followers = (
        Subscription.objects.filter(thread=thread, user__email_on_reply=True, user__is_active=True)
        .filter(readers_q(thread.community, prefix="user__"))
        .exclude(user__email="")
        .exclude(user_id=post.author_id)
        # People @mentioned in this reply already get that email; one email per reply is enough.
        .exclude(user_id__in=Mention.objects.filter(post=post).values("user_id"))
        .select_related("user")
        .order_by("user_id")
    )
    url = absolute_url(post.get_absolute_url())
    emails = [
        _compose(
            kind="reply",
            key=f"reply:post={post.pk}:to={subscription.user_id}",
            person=subscription.user,
            author=post.author,
            thread=thread,
            text=post.body,
            html=post.body_html,
            url=url,
        )
        for subscription in followers
    ]
    return len(retry_later(self, mail.send(emails)).sent)


@shared_task(name="discussions.refresh_search_words", time_limit=3600, soft_time_limit=3500)
def refresh_search_words():
    """Top up search's word list ("Did you mean") with what was written since the last run. Safe to repeat."""
    return services.refresh_search_words()
