"""Writes of accounts that more than one place needs."""

from accounts.emails import OPT_OUTS
from accounts.models import User


def opt_out(*, user: User, kind: str):
    """Turn ``kind`` emails (``mention``, ``reply``) off for ``user``. Idempotent; returns the user."""
    preference, _label = OPT_OUTS[kind]
    if getattr(user, preference):
        setattr(user, preference, False)
        user.save(update_fields=[preference])
    return user
