"""Making, finding and revoking personal access tokens. Only a hash of a token is ever stored."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import AccessToken

TOKEN_PREFIX = "cop_"  # noqa: S105 - the visible start of every token, not a secret
NAME_MAX = 80
MAX_LIVE_TOKENS = 20
EXPIRY_CHOICES = {"30": 30, "90": 90, "365": 365, "never": None}
# last_used_at is written at most this often, so a busy token does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(*, user, name, scope, expires_in_days=None):
    """A new token for ``user``; returns (token row, secret). The secret is not kept anywhere."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, for example “district dashboard”."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"Keep the name under {NAME_MAX} characters."})
    if scope not in AccessToken.Scope.values:
        raise ValidationError({"scope": "Pick read, or read and write."})
    live = AccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if live >= MAX_LIVE_TOKENS:
        raise ValidationError(f"You have {live} tokens; revoke one you no longer use first.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = AccessToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        key_hash=hash_key(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return token, secret


def revoke_token(*, user, token):
    """Revoke one of ``user``'s tokens (idempotent); someone else's is a 404."""
    if token.user_id != user.pk:
        raise PermissionDenied("That token is not yours.")
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_for_key(key):
    """The usable token whose secret is ``key``, with its user (one query), else None."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    token = AccessToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token


def touch(token, now=None):
    """Record that ``token`` was used now (a write at most once a minute)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def tokens_of(*, user):
    return AccessToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")
