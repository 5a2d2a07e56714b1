"""Libraries few requests need load on first use (issue 19: a web worker's memory).

The email services' webhooks are routed as anymail routes them; the calendar feeds' icalendar.
"""

import subprocess
import sys

from anymail import urls as anymail_urls

from cop_site.urls import ANYMAIL_WEBHOOKS
from tests.processes import ROOT


def test_every_webhook_anymail_routes_is_routed_here_the_same_way():
    theirs = {
        (str(p.pattern), p.callback.view_class.__module__, p.callback.view_class.__name__, p.name)
        for p in anymail_urls.urlpatterns
    }
    ours = {(route, f"anymail.webhooks.{module}", cls, name) for route, module, cls, name in ANYMAIL_WEBHOOKS}
    assert ours == theirs
    assert len(ANYMAIL_WEBHOOKS) == len(anymail_urls.urlpatterns)


def test_loading_the_site_does_not_load_boto3_or_icalendar():
    script = (
        "import sys, django; django.setup(); from django.urls import resolve; import cop_site.urls; "
        "resolve('/anymail/postmark/tracking/'); "
        "print(*(name in sys.modules for name in ('boto3', 'anymail.urls', 'icalendar')))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "cop_site.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
