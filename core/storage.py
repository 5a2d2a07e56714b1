"""Static files storage whose URLs are looked up once per process (issue 19).

Every page asks ``{% static %}`` for the same eight to twelve files; WhiteNoise's manifest storage
answers each call by looking the name up in the manifest and joining it to ``STATIC_URL`` again,
about 40 µs each. The manifest is read once when a process starts and never changes while it runs
(a deploy starts new processes), so the answer for a name never changes either.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # with DEBUG on, the storage answers unhashed names
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            # A name missing from the manifest raises here, every time: only answers are kept.
            url = self._urls[name] = super().url(name)
            return url
