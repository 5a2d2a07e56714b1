"""The kinds of notification, what each says, and how each is delivered by default.

``IMMEDIATELY`` emails at once, ``BATCHED`` at most one email per thread per
``NOTIFICATION_BATCH_MINUTES``, ``DAILY`` in the next daily summary, ``SITE`` only in the site.
A person's choice (``Preference``) is one of ``CHOICES``; a kind not in ``EMAILED``
is never emailed by this app (the app that causes it sends its own email, or none).
"""

from dataclasses import dataclass

IMMEDIATELY = "immediately"
DAILY = "daily"
SITE = "site"
CHOICES = ((IMMEDIATELY, "Email me at once"), (DAILY, "In a daily summary"), (SITE, "Only in the site"))
DELIVERIES = {value for value, _ in CHOICES}


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # how the preferences form names it
    default: str  # IMMEDIATELY, DAILY or SITE
    emailed: bool = True  # False: another app sends its own email for it (or it is never emailed)
    batched: bool = False  # "at once" waits for the thread's batch window
    moderators: bool = False  # a moderator's kind


MENTION = "mention"
REPLY = "reply"
FOLLOWED_REPLY = "followed_reply"
ANSWER_ACCEPTED = "answer_accepted"
HELPFUL = "helpful"
POST_HIDDEN = "post_hidden"
JOIN_DECIDED = "join_decided"
RESOURCE_DECIDED = "resource_decided"
INVITATION_ACCEPTED = "invitation_accepted"
ACTIVITY_CHANGED = "activity_changed"
ACTIVITY_CANCELLED = "activity_cancelled"
POLL_OPENED = "poll_opened"
RESPONSIBILITY_ASSIGNED = "responsibility_assigned"
RESPONSIBILITY_DUE_SOON = "responsibility_due_soon"
RESPONSIBILITY_OVERDUE = "responsibility_overdue"
MOD_FLAG = "mod_flag"
MOD_SUBMISSION = "mod_submission"
MOD_JOIN_REQUEST = "mod_join_request"
MOD_BROKEN_LINK = "mod_broken_link"

KINDS = {
    kind.key: kind
    for kind in (
        Kind(MENTION, "Someone @mentions you", IMMEDIATELY),
        Kind(REPLY, "A reply to your post", IMMEDIATELY),
        Kind(FOLLOWED_REPLY, "New replies in threads you follow", IMMEDIATELY, batched=True),
        Kind(ANSWER_ACCEPTED, "Your answer was accepted", IMMEDIATELY),
        Kind(HELPFUL, "Your post was marked helpful", SITE, emailed=False),
        Kind(POST_HIDDEN, "A moderator hid your post", IMMEDIATELY),
        Kind(JOIN_DECIDED, "Your request to join was answered", IMMEDIATELY, emailed=False),
        Kind(RESOURCE_DECIDED, "Your resource was reviewed", IMMEDIATELY, emailed=False),
        Kind(INVITATION_ACCEPTED, "Someone accepted your invitation", DAILY),
        Kind(ACTIVITY_CHANGED, "An activity you answered was moved", IMMEDIATELY),
        Kind(ACTIVITY_CANCELLED, "An activity you answered was cancelled", IMMEDIATELY),
        Kind(POLL_OPENED, "A poll opened in your community", DAILY),
        Kind(RESPONSIBILITY_ASSIGNED, "A responsibility was given to your district", IMMEDIATELY),
        Kind(RESPONSIBILITY_DUE_SOON, "Your district's responsibility is due soon", IMMEDIATELY),
        Kind(RESPONSIBILITY_OVERDUE, "Your district's responsibility is overdue", IMMEDIATELY),
        Kind(MOD_FLAG, "Moderators: a post was flagged", IMMEDIATELY, batched=True, moderators=True),
        Kind(MOD_SUBMISSION, "Moderators: a resource waits for review", IMMEDIATELY, batched=True, moderators=True),
        Kind(MOD_JOIN_REQUEST, "Moderators: someone asks to join", IMMEDIATELY, batched=True, moderators=True),
        Kind(MOD_BROKEN_LINK, "Moderators: a resource's link is broken", DAILY, moderators=True),
    )
}
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS.values()]
EMAILED_KINDS = [kind for kind in KINDS.values() if kind.emailed]


# The older on/off switches on the account (and its one-click links in emails already sent):
# switched off, they keep these kinds in the site until the person chooses again.
LEGACY_SWITCHES = {MENTION: "email_on_mention", REPLY: "email_on_reply", FOLLOWED_REPLY: "email_on_reply"}


def default_delivery(kind, person=None):
    switch = LEGACY_SWITCHES.get(kind)
    if person is not None and switch and not getattr(person, switch, True):
        return SITE
    return KINDS[kind].default
