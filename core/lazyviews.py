"""URL patterns whose class-based view is imported on its first request (issue 19, memory).

Django needs every pattern's name at start (``reverse()`` reads them all), not its view: a
``LazyView`` stands in for ``Class.as_view(**initkwargs)`` and imports the class the first
time it is called. A web worker that only serves pages then never imports what those views
need (the REST API's framework, its schema generator and what they pull in: pygments,
markdown, ``django.test``, ``unittest``). It forwards what the CSRF middleware and
drf-spectacular's endpoint list read of a view function (``csrf_exempt``, ``cls``,
``initkwargs``), importing the view to answer.
"""

from django.utils.module_loading import import_string


class LazyView:
    def __init__(self, dotted_path, **initkwargs):
        self.dotted_path = dotted_path
        self._initkwargs = initkwargs
        self._view = None
        # What the URL resolver names the pattern by (URLPattern.lookup_str): the class's dotted path.
        self.__module__, _, self.__qualname__ = dotted_path.rpartition(".")
        self.__name__ = self.__qualname__

    def view(self):
        if self._view is None:
            self._view = import_string(self.dotted_path).as_view(**self._initkwargs)
        return self._view

    def __call__(self, request, *args, **kwargs):
        return self.view()(request, *args, **kwargs)

    def __getattr__(self, name):
        # Only what is not set above: the attributes as_view() gives its function (cls, initkwargs,
        # csrf_exempt, view_class, ...), read from the real one.
        if name.startswith("_") or name == "view_class":  # the resolver asks for view_class first
            raise AttributeError(name)
        return getattr(self.view(), name)

    def __repr__(self):
        return f"<LazyView {self.dotted_path}>"
