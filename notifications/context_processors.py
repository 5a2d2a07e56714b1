from notifications import selectors


def bell(request):
    """``unread_notifications``: the bell's count, read only when a page shows the bell (logged in).

    No query for anonymous visitors (the template never calls it); at most one for a
    member (``selectors.unread_count``: one query on a partial index).
    """
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": lambda: selectors.unread_count(user)}
