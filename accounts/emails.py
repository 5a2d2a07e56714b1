"""Opting out of one kind of email from the email itself (RFC 8058 one-click, List-Unsubscribe).

A signed token names the person and the kind; whoever holds it may turn that kind off and
nothing else. The digest keeps its own link (``/digests/unsubscribe/<token>/``).
"""

from django.core import signing
from django.urls import reverse

from core.links import absolute_url

SALT = "accounts.email-opt-out"
MAX_AGE_DAYS = 365

# kind -> (the preference it turns off, how the page names it)
OPT_OUTS = {
    "mention": ("email_on_mention", "emails when someone @mentions you"),
    "reply": ("email_on_reply", "emails about new replies in threads you follow"),
}


def opt_out_token(user, kind):
    if kind not in OPT_OUTS:
        raise ValueError(f"no opt-out for {kind!r}")
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def opt_out_url(user, kind):
    """The absolute link (and one-click POST target) that turns ``kind`` emails off for ``user``."""
    return absolute_url(reverse("accounts:email_opt_out", kwargs={"token": opt_out_token(user, kind)}))


def read_opt_out_token(token):
    """(user id, kind) named by ``token``. Raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE_DAYS * 86400)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or data.get("k") not in OPT_OUTS:
        raise signing.BadSignature("token without a person or kind")
    return data["u"], data["k"]
