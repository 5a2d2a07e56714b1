"""The API's documentation page (imported on its first request: core.lazyviews)."""

from drf_spectacular.views import SpectacularRedocView


class ApiDocs(SpectacularRedocView):
    """/api/docs/: the schema rendered by Redoc (drf-spectacular-sidecar's copy, served by WhiteNoise),
    started from static/js/api_docs.js (no inline script) and without Redoc's web fonts from Google."""

    template_name = "api/docs.html"
