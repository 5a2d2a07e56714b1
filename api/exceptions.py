"""Every refusal the API gives is JSON with a ``detail`` sentence (and ``errors`` per field for a 400).

The services' own refusals (core.refusals) map to the same statuses the pages use.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.ratelimit import RateLimited
from core.refusals import message_for, status_for


def handle(exc, context):
    if isinstance(exc, RateLimited):
        response = Response({"detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        response["Retry-After"] = str(exc.wait)
        return response
    if isinstance(exc, ValidationError):
        body = {"detail": message_for(exc)}
        if hasattr(exc, "error_dict"):
            body["errors"] = {name: [str(m) for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
        return Response(body, status=status_for(exc))
    if isinstance(exc, Http404 | PermissionDenied):
        return Response({"detail": message_for(exc)}, status=status_for(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        if isinstance(data, dict) and "detail" not in data:
            first = next(iter(data.values()), [""])
            summary = first[0] if isinstance(first, list) and first else first
            response.data = {"detail": f"Please fix the request: {summary}", "errors": data}
        elif isinstance(data, list):
            response.data = {"detail": " ".join(str(d) for d in data), "errors": {"non_field_errors": data}}
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response
