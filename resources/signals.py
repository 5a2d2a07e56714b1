"""Signals the resources app sends (after commit) so higher apps (the API's webhooks) can react.

- ``resource_approved(sender=Resource, resource)``: a resource went into the library (approved or featured).
"""

from django.dispatch import Signal

resource_approved = Signal()
