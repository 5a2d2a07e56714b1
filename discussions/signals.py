"""Signals the discussions app sends (after commit) so higher apps (the API's webhooks) can react.

- ``thread_created(sender=Thread, thread)``: a member started a thread.
- ``reply_created(sender=Post, post)``: someone replied in a thread.
"""

from django.dispatch import Signal

thread_created = Signal()
reply_created = Signal()
