"""What chats add to pages and emails of the calendar (which may not import chats) and to the community home:

- ``activity_panel(*, activity, viewer, access)``: on an "online chat" activity's page, the
  chat's topic, its number of prompts and the way into the room (or, for hosts, to prepare it);
- ``reminder_links(*, activity)``: the room's address in the reminder email;
- ``needs_you(*, community, viewer, access)``: the community's next chat, in the home's "What needs you".
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from calendar_app.models import Activity
from chats.models import Chat
from chats.permissions import may_host
from chats.selectors import chat_of_activity, next_chat_of, prompt_counts
from core.panels import panel


def _room_path(activity):
    return reverse("chats:room", kwargs={"slug": activity.community.slug, "pk": activity.pk})


@panel("activity_panel", order=10)
def activity_panel(*, activity, viewer, access):
    """At most three queries, none for other kinds of activity."""
    if activity.kind != Activity.Kind.CHAT or not access.may_see:
        return None
    chat = chat_of_activity(community=activity.community, activity_pk=activity.pk)
    total = posted = 0
    if chat is not None:
        total, posted = prompt_counts(chat=chat)
    return {
        "template": "chats/includes/activity_panel.html",
        "chat": chat,
        "state": chat.state(timezone.now()) if chat else None,
        "prompt_total": total,
        "prompt_posted": posted,
        "room_url": _room_path(activity),
        "may_host": may_host(access, chat=chat, activity=activity),
        "recurring": activity.is_recurring,
        "State": Chat.State,
    }


@panel("reminder_links", order=10)
def reminder_links(*, activity):
    if activity.kind != Activity.Kind.CHAT or activity.is_recurring:
        return None
    return {"label": "Chat room", "url": f"{settings.SITE_URL}{_room_path(activity)}"}


@panel("needs_you", order=80)
def next_chat_panel(*, community, viewer, access):
    """The community's next chat for its members, when one is on or coming: one query."""
    if not access.is_member:
        return None
    chat = next_chat_of(community=community)
    if chat is None:
        return None
    return {"template": "chats/includes/next_chat.html", "chat": chat, "live": chat.is_live()}
