"""What a request may do through the API on top of communities.permissions: a token's scope."""

from django.shortcuts import get_object_or_404
from rest_framework import permissions

from api.models import AccessToken
from communities.models import Community
from communities.permissions import access_for, check


class TokenScope(permissions.BasePermission):
    """A read-only token may read; only a read-and-write token (or the session) may change things."""

    message = "This token may only read. Create a read and write token on your settings page to make changes."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, AccessToken) or token.may_write


def community_access(request, slug, need="see"):
    """The viewer's Access to the community ``slug``, checked as the pages check it (two queries).

    A community the viewer may not know exists is a 404; a missing permission is a 403.
    """
    community = get_object_or_404(Community, slug=slug)
    access = access_for(request.user, community)
    check(access, need)
    return access
