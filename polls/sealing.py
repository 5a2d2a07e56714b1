"""Sealed anonymous answers: readable by the site, not by someone who only has the database.

An anonymous answer waits, sealed, until its poll closes; then all of them are opened and
written as ballots in one transaction in random order (services.mix_sealed_answers). While
it waits, the sealed row shares a transaction (PostgreSQL's ``xmin``) with the voter's
``Participation``, but only ciphertext: AES-GCM under a key derived from SECRET_KEY
(AES-GCM rather than Fernet, whose tokens carry the time they were made).
"""

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_PURPOSE = b"polls.sealed-answer.v1:"


def _keys():
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hashlib.sha256(_PURPOSE + secret.encode()).digest() for secret in secrets]


def seal(*, poll_id, choice_ids, text):
    """The answer as URL-safe text; bound to its poll, so it cannot be moved to another."""
    nonce = os.urandom(12)
    payload = json.dumps({"c": sorted(choice_ids), "t": text}).encode()
    sealed = AESGCM(_keys()[0]).encrypt(nonce, payload, str(poll_id).encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value, *, poll_id):
    """``(choice_ids, text)`` of a sealed answer; ValueError if it was not sealed here for that poll."""
    raw = base64.urlsafe_b64decode(value.encode())
    for key in _keys():
        try:
            data = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], str(poll_id).encode()))
        except InvalidTag:
            continue
        return data["c"], data["t"]
    raise ValueError("not a sealed answer of this poll")
