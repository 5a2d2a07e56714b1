import logging
from functools import wraps
from importlib import import_module

from anymail.exceptions import AnymailConfigurationError
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path

from communities.views import site_home
from core import views as core_views

logger = logging.getLogger(__name__)


def _set_up_services_only(view, name):
    """An email service's webhook answers 404, not 500, while that service has no settings here.

    anymail routes every service it knows; one without credentials raises on each request.
    The service we send through still fails loudly (logged) if it is misconfigured.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            if name.startswith(f"{settings.EMAIL_SERVICE}_") and settings.EMAIL_SERVICE:
                logger.exception("The %s webhook is not configured", settings.EMAIL_SERVICE)
            raise Http404("No such email service here.") from None

    return wrapper


# anymail's own URL list (anymail.urls), spelled out so that its webhook modules load on a
# service's first request: importing them all put boto3 (Amazon SES) into every web worker,
# about 4 MiB of code, although email goes through one service at most. A test checks the
# list still matches anymail's. (route or regex, webhook module, view class, URL name)
ANYMAIL_WEBHOOKS = [
    *[
        (f"{service}/inbound/", service, f"{cls}InboundWebhookView", f"{service}_inbound_webhook")
        for service, cls in [
            ("amazon_ses", "AmazonSES"), ("brevo", "Brevo"), ("mailersend", "MailerSend"), ("mailjet", "Mailjet"),
            ("mailtrap", "Mailtrap"), ("postal", "Postal"), ("postmark", "Postmark"), ("sendgrid", "SendGrid"),
            ("sendinblue", "SendinBlue"), ("sparkpost", "SparkPost"),
        ]
    ],
    (r"^mailgun/inbound(_mime)?/$", "mailgun", "MailgunInboundWebhookView", "mailgun_inbound_webhook"),
    *[
        (f"{service}/tracking/", service, f"{cls}TrackingWebhookView", f"{service}_tracking_webhook")
        for service, cls in [
            ("amazon_ses", "AmazonSES"), ("brevo", "Brevo"), ("mailersend", "MailerSend"), ("mailgun", "Mailgun"),
            ("mailjet", "Mailjet"), ("mailtrap", "Mailtrap"), ("postal", "Postal"), ("postmark", "Postmark"),
            ("resend", "Resend"), ("sendgrid", "SendGrid"), ("sendinblue", "SendinBlue"), ("sparkpost", "SparkPost"),
            ("unisender_go", "UnisenderGo"),
        ]
    ],
    ("resend/inbound/", "resend", "ResendInboundWebhookView", "resend_inbound_webhook"),
    ("mandrill/", "mandrill", "MandrillCombinedWebhookView", "mandrill_webhook"),
    ("mandrill/tracking/", "mandrill", "MandrillCombinedWebhookView", "mandrill_tracking_webhook"),
]  # fmt: skip


def _webhook_on_first_use(module, class_name, name):
    """The webhook view of ``anymail.webhooks.<module>``, imported when a request first needs it."""
    loaded = []

    def webhook(request, *args, **kwargs):
        if not loaded:
            view_class = getattr(import_module(f"anymail.webhooks.{module}"), class_name)
            loaded.append(_set_up_services_only(view_class.as_view(), name))
        return loaded[0](request, *args, **kwargs)

    webhook.csrf_exempt = True  # type: ignore[attr-defined]  # as anymail's views are: services sign, not CSRF
    return webhook


ANYMAIL_PATTERNS = (
    [
        (re_path if route.startswith("^") else path)(route, _webhook_on_first_use(module, cls, name), name=name)
        for route, module, cls, name in ANYMAIL_WEBHOOKS
    ],
    "anymail",
)

urlpatterns = [
    path("", site_home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("style/", core_views.style, name="style"),  # the design system, for staff (core/views.py)
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Email services report bounces and complaints here (django-anymail; core.signals suppresses them).
    path("anymail/", include(ANYMAIL_PATTERNS)),
    path("", include("accounts.urls")),
    # Each app's urls.py spells out its full paths (DESIGN.md's URL table).
    path("", include("communities.urls")),
    path("", include("notifications.urls")),
    path("", include("discussions.urls")),
    path("", include("resources.urls")),
    path("", include("calendar_app.urls")),
    path("", include("mentoring.urls")),
    path("", include("polls.urls")),
    path("", include("chats.urls")),
    path("", include("digests.urls")),
    path("", include("reports.urls")),
    path("", include("api.urls")),
    path("", include("api.lti_urls")),
]

if settings.BENCH_ENDPOINTS:  # the load benchmark's baseline (bench/run.py); core.W003 warns in production
    urlpatterns.append(path("bench/ok", core_views.trivial, name="trivial"))
