"""The one way a refused action becomes a response.

Services say no with one of four errors: ``PermissionDenied`` (403), ``Http404`` (404),
``ValidationError`` (400; ``code="conflict"`` for a repeat that the current state
refuses, 409; ``code="gone"`` for a link that no longer works, 410) and
``core.ratelimit.RateLimited`` (429, with ``Retry-After``). Views hand the error to
:func:`refuse`, and :class:`RefusalMiddleware` does the same for one a view let through.

An htmx request gets the message next to the control that sent it: either the view's
own fragment re-rendered with the message (``fragment=``), or a small alert swapped into
the element whose id is the sender's id plus ``-refusal`` (``HX-Retarget``). Nothing the
person typed is replaced. A plain request gets a whole page with the message at the top.
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from core.ratelimit import RateLimited

REFUSAL_FRAGMENT = "includes/refusal.html"
REFUSAL_PAGE = "refused.html"
CONFLICT = "conflict"  # ValidationError code: the thing is already so (409)
GONE = "gone"  # ValidationError code: the link no longer works (410)
_CODE_STATUS = {CONFLICT: 409, GONE: 410}
_SHORTCUT_404 = re.compile(r"No .+ matches the given query\.")
_SAFE_ID = re.compile(r"^[A-Za-z][\w-]{0,80}$")
_DEFAULT_MESSAGES = {
    403: "You are not allowed to do that.",
    404: "We could not find that. It may have been deleted or moved.",
    429: "You are doing that very quickly. Please wait a moment and try again.",
}
REFUSALS = (PermissionDenied, Http404, ValidationError, RateLimited)


def status_for(error):
    """The HTTP status that goes with one of the four refusals."""
    if isinstance(error, RateLimited):
        return 429
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, Http404):
        return 404
    if hasattr(error, "error_dict"):
        codes = {e.code for errors in error.error_dict.values() for e in errors}
    else:
        codes = {e.code for e in error.error_list}
    for code, status in _CODE_STATUS.items():
        if code in codes:
            return status
    return 400


def message_for(error):
    """The refusal as one sentence (or a few) written for the person, never a developer's text."""
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    text = str(error.args[0]) if error.args else ""
    if _SHORTCUT_404.fullmatch(text):  # get_object_or_404's wording is for developers
        text = ""
    return text or _DEFAULT_MESSAGES.get(status_for(error), "That did not work.")


def refusal_slot(request):
    """``#<sender id>-refusal`` for an htmx request whose sending element has an id, else None."""
    sender = request.htmx.trigger if getattr(request, "htmx", None) else None
    return f"#{sender}-refusal" if sender and _SAFE_ID.match(sender) else None


def refuse(request, error, *, template=None, context=None, fragment=None, announce=True):
    """Answer ``error`` with its status, its message and nothing changed.

    htmx: ``fragment`` (rendered with ``refusal`` in its context, swapped where the control's
    own response goes) or the small alert, retargeted into the sender's ``-refusal`` slot.
    Otherwise ``template`` as a whole page (the form in it keeps what was typed) with the
    message at the top (``announce=False`` when the template says it itself), or a page
    that is just the message.
    """
    status = status_for(error)
    message = message_for(error)
    context = {**(context or {}), "refusal": message, "refusal_status": status}
    if getattr(request, "htmx", False):
        if fragment is not None:
            response = render(request, fragment, context, status=status)
        else:
            response = render(request, REFUSAL_FRAGMENT, context, status=status)
            slot = refusal_slot(request)
            if slot:
                response = reswap(retarget(response, slot), "innerHTML")
    else:
        if template is not None and announce:
            messages.error(request, message)
        response = render(request, template or REFUSAL_PAGE, context, status=status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.wait)
    return response


class RefusalMiddleware:
    """Turns a refusal a view did not catch into :func:`refuse`'s answer.

    Every ValidationError and RateLimited; PermissionDenied and Http404 only for htmx (plain
    requests keep Django's 403 and 404 pages, which already show the message).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ValidationError | RateLimited):
            return refuse(request, exception)
        if isinstance(exception, PermissionDenied | Http404) and getattr(request, "htmx", False):
            return refuse(request, exception)
        return None


def csrf_failure(request, reason=""):
    """A form sent with an old or missing security token: say so where the person is looking."""
    error = PermissionDenied(
        "This page was open too long, or you logged in or out in another tab. "
        "Copy anything you typed, reload the page and try again."
    )
    return refuse(request, error)
