"""A web worker that serves pages never imports the REST API's framework, its schema generator or what
they pull in (issue 19, memory): the API's views load on the first API request (core.lazyviews); nor
Pillow, markdown-it or nh3, which only pictures and text people send need."""

import json

import pytest

from tests.processes import run_python

pytestmark = pytest.mark.django_db(transaction=True)

HEAVY = (
    *("rest_framework.serializers", "pygments", "markdown", "drf_spectacular.plumbing", "django.test", "unittest"),
    *("PIL.Image", "nh3", "markdown_it"),  # for pictures and text people send, not for pages
)

WORKER = """
import json, os, sys
from wsgiref.util import setup_testing_defaults
from django.core.wsgi import get_wsgi_application

app = get_wsgi_application()
heavy = json.loads(sys.argv[1])

def get(path):
    environ = {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1"}
    setup_testing_defaults(environ)
    status = []
    b"".join(app(environ, lambda line, headers, exc_info=None: status.append(line)))
    return int(status[0].split()[0])

pages = [get(path) for path in ("/", "/c/", "/healthz", "/accounts/login/")]
before = [name for name in heavy if name in sys.modules]
api = [get("/api/v1/communities/"), get("/api/schema/")]
after = [name for name in heavy if name in sys.modules]
print(json.dumps({"pages": pages, "before": before, "api": api, "after": after}))
"""


def test_pages_load_no_api_framework_and_the_api_still_answers(community):
    seen = json.loads(run_python(WORKER, json.dumps(HEAVY)).strip().splitlines()[-1])
    assert seen["pages"] == [200, 200, 200, 200]
    assert seen["before"] == []
    assert seen["api"] == [200, 200]
    assert set(seen["after"]) >= {"rest_framework.serializers", "drf_spectacular.plumbing"}
