"""Who may run a chat. Built on ``communities.permissions.Access`` (the one place for community
roles); what this adds is the chat's own roles: the host someone named and the co-hosts.

A host is a member (removed members lose it) who schedules in the community (district
leaders, moderators, staff), organizes the activity, or was named host or co-host.
"""


def _named(user, chat):
    if chat is None:
        return False
    if chat.host_id == user.pk:
        return True
    return any(person.pk == user.pk for person in chat.cohosts.all())


def may_host(access, chat=None, activity=None):
    """May prepare the chat and run it live: prompts, pin, hide, pause, end, publish."""
    if not access.is_authenticated or not access.may_post:
        return False
    if access.may_schedule:
        return True
    activity = activity or (chat.activity if chat is not None else None)
    if activity is not None and activity.organizer_id == access.user.pk:
        return True
    return _named(access.user, chat)
