from django.shortcuts import get_object_or_404

from accounts.models import User


def profile_user(*, username: str) -> User:
    """The active user with this username (404 otherwise), with district loaded."""
    return get_object_or_404(User.objects.select_related("district"), username=username, is_active=True)
