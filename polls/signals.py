"""Signals the polls app sends (after commit) so higher apps (the API's webhooks) can react.

- ``poll_closed(sender=Poll, poll)``: a leader closed a poll.
"""

from django.dispatch import Signal

poll_closed = Signal()
