"""Cache-Control for pages that belong to one person."""

from django.utils.cache import patch_cache_control


class PrivateCacheControlMiddleware:
    """Every response to a logged-in person says ``Cache-Control: private``.

    A shared cache (a proxy, a CDN) must never keep one person's page for another.
    Pages that show secret links (calendar feed tokens) go further with Django's
    ``never_cache`` (``no-store``), which this keeps.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
