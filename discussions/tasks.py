"""Emails about discussions, sent by Celery.

Each task takes ids and claims its row first, so running it twice sends once.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from communities.permissions import access_for
from discussions.models import Mention, Post, Subscription


def _may_see(user, community):
    return user.is_active and bool(user.email) and access_for(user, community).may_see


def _send(*, template, to, context):
    context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    subject = render_to_string(f"discussions/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"discussions/email/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@shared_task
def send_mention_email(mention_id):
    """Email the person @mentioned, once, if they want mention emails and may see the community."""
    with transaction.atomic():
        claimed = Mention.objects.filter(pk=mention_id, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return False
    mention = Mention.objects.select_related("user", "thread__community", "post__author", "thread__author").get(
        pk=mention_id
    )
    thread, post, person = mention.thread, mention.post, mention.user
    if not person.email_on_mention or not _may_see(person, thread.community):
        return False
    if thread.is_hidden or (post is not None and post.is_removed):
        return False
    author = post.author if post is not None else thread.author
    url = settings.SITE_URL + (post.get_absolute_url() if post is not None else thread.get_absolute_url())
    _send(
        template="mention",
        to=person.email,
        context={"person": person, "author": author, "thread": thread, "text": (post or thread).body, "url": url},
    )
    return True


@shared_task
def notify_followers(post_id):
    """Email the followers of the reply's thread (not its author) once, if they want it and may see it."""
    with transaction.atomic():
        claimed = Post.objects.filter(pk=post_id, followers_notified_at__isnull=True).update(
            followers_notified_at=timezone.now()
        )
    if not claimed:
        return 0
    post = Post.objects.select_related("author", "thread__community").get(pk=post_id)
    thread = post.thread
    if post.is_removed or thread.is_hidden:
        return 0
    # People @mentioned in this reply already get that email; one email per reply is enough.
    mentioned = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
    followers = (
        Subscription.objects.filter(thread=thread, user__email_on_reply=True, user__is_active=True)
        .exclude(user_id=post.author_id)
        .exclude(user_id__in=mentioned)
        .select_related("user")
    )
    url = settings.SITE_URL + post.get_absolute_url()
    sent = 0
    for subscription in followers:
        person = subscription.user
        if not _may_see(person, thread.community):
            continue
        _send(
            template="reply",
            to=person.email,
            context={"person": person, "author": post.author, "thread": thread, "text": post.body, "url": url},
        )
        sent += 1
    return sent
