"""LTI 1.3: the site as a tool that districts' LMSs (Canvas, Schoology, Moodle...) launch, through django-lti.

A staff member registers the LMS in the admin (django-lti's LtiRegistration: issuer, client id, auth,
token and keyset URLs; its LtiDeployment, switched on) and, in this site's LmsPlatform, the community its
links open and, optionally, the platform's JWKS. Then:

- ``/lti/login/``: OIDC third-party login initiation (state cookie, nonce), redirecting to the LMS;
- ``/lti/launch/``: the signed id_token is checked (signature against the platform's keys, issuer and
  client id registered, deployment switched on, nonce used once); the person is signed in (an account
  with the launch's email, never a staff one, or a new account with their name), joins the community the
  link names when its policy lets anyone join, and gets a page the LMS may frame (frame-ancestors: that
  platform's origins only; every other page keeps ``frame-ancestors 'none'``);
- a deep-linking launch lets a teacher pick a community, thread or resource; ``/lti/deep-link/`` signs the
  choice back to the LMS, which stores it as a link that launches with ``custom`` claims naming it.
"""

import secrets
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lti_tool.models import LtiLaunch
from lti_tool.utils import DjangoToolConfig, sync_data_from_launch
from lti_tool.views import OIDCLoginInitView
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException

from accounts.models import User
from communities import services as community_services
from communities.models import Community
from communities.permissions import access_for, listed_q, visible_q
from core.links import absolute_url
from discussions.models import Thread
from resources.models import Resource

NONCE_SECONDS = 3600


class ToolConfig(DjangoToolConfig):
    """django-lti's registry, plus the platform keys an admin pasted (so nothing is fetched for them)."""

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        registration = super().find_registration_by_params(iss, client_id, *args, **kwargs)
        platform = getattr(self.registration, "cop_platform", None) if registration is not None else None
        if platform is not None and platform.jwks:
            registration.set_key_set(platform.jwks)
        return registration


class LoginInit(OIDCLoginInitView):
    """OIDC login initiation without pylti1p3's inline-script cookie check (the CSP allows no inline script)."""

    def get_oidc_response(self, request, registration_uuid, params):
        from pylti1p3.contrib.django import DjangoOIDCLogin

        target_link_uri = params.get("target_link_uri")
        if not target_link_uri:
            return HttpResponseBadRequest("Missing target_link_uri parameter.")
        oidc_login = DjangoOIDCLogin(
            request, ToolConfig(registration_uuid), launch_data_storage=DjangoCacheDataStorage()
        )
        try:
            return oidc_login.redirect(target_link_uri)
        except (LtiException, OIDCException) as exc:
            return _refused(request, exc, status=400)


def _refused(request, error, status=403):
    return render(request, "api/lti_refused.html", {"reason": str(error)}, status=status)


def _frame_origins(registration):
    origins = []
    for url in (registration.issuer, registration.auth_url):
        parts = urlsplit(url or "")
        if parts.scheme in ("https", "http") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def _framed(response, registration):
    """Let the registered platform (and only it) show ``response`` in its frame."""
    response._csp_update = {"frame-ancestors": _frame_origins(registration)}
    response._csp_replace = {"frame-ancestors": _frame_origins(registration)}
    return response


def _validated_launch(request):
    message_launch = DjangoMessageLaunch(request, ToolConfig(), launch_data_storage=DjangoCacheDataStorage())
    message_launch.validate()
    launch = LtiLaunch(message_launch)
    nonce = launch.get_claim("nonce")
    if not cache.add(f"lti-nonce:{nonce}", 1, timeout=NONCE_SECONDS):
        raise LtiException("This launch was already used (its nonce was seen before).")
    return launch


def _unique_username(base):
    base = slugify(base)[:30] or "teacher"
    name, taken = base, set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    while name in taken:
        name = f"{base}-{secrets.token_hex(2)}"
    return name


@transaction.atomic
def person_for_launch(launch):
    """The account a launch signs in: the one linked before, else the one with its email, else a new one.

    Staff accounts are never signed in by an LMS (they log in themselves).
    """
    from allauth.account.models import EmailAddress

    lti_user = launch.user
    if lti_user.auth_user_id:
        person = User.objects.get(pk=lti_user.auth_user_id)
    else:
        email = (launch.get_claim("email") or "").strip()
        if not email:
            raise LtiException("The LMS did not send the person's email address, so we cannot sign them in.")
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            name = launch.get_claim("name") or " ".join(
                part for part in (launch.get_claim("given_name"), launch.get_claim("family_name")) if part
            )
            person = User(username=_unique_username(email.split("@")[0]), email=email, display_name=name[:80])
            person.set_unusable_password()
            person.save()
            EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
        lti_user.auth_user = person
        lti_user.save(update_fields=["auth_user"])
    if person.is_staff or person.is_superuser or not person.is_active:
        raise LtiException("This account cannot be signed in from an LMS; log in to the site directly.")
    return person


def _linked(launch):
    """What the link names (custom claims ``community``, ``thread``, ``resource``), else the platform's community."""
    slug = launch.get_custom_claim("community")
    platform = getattr(launch.registration, "cop_platform", None)
    community = Community.objects.filter(slug=slug).first() if slug else None
    if community is None and platform is not None:
        community = platform.community
    return community


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch_view(request):
    try:
        launch = _validated_launch(request)
        sync_data_from_launch(launch, None)
        if not launch.deployment.is_active:
            raise LtiException("This LMS deployment is not switched on in the site yet.")
        person = person_for_launch(launch)
    except LtiException as exc:
        return _refused(request, exc)
    login(request, person, backend="accounts.backends.ModelBackend")
    if launch.is_deep_link_launch:
        return _framed(_deep_link_picker(request, launch, person), launch.registration)
    community = _linked(launch)
    context = {"person": person, "community": community, "access": None, "joined": False}
    if community is not None:
        access = access_for(person, community)
        if access.may_join:
            community_services.join_community(user=person, community=community)
            access, context["joined"] = access_for(person, community), True
        if not access.may_view:
            community = None
        context.update(community=community, access=access if community else None, target=_target(launch, access))
    return _framed(render(request, "api/lti_launch.html", context), launch.registration)


def _target(launch, access):
    """The thread or resource the link names, if the person may see it; else the community's home."""
    if access is None or not access.may_see:
        return None
    thread_id, resource_id = launch.get_custom_claim("thread"), launch.get_custom_claim("resource")
    if thread_id and str(thread_id).isdigit():
        thread = Thread.objects.filter(community=access.community, pk=thread_id, is_hidden=False).first()
        if thread is not None:
            return {"title": thread.title, "url": thread.get_absolute_url()}
    if resource_id and str(resource_id).isdigit():
        resource = Resource.objects.filter(community=access.community, pk=resource_id).visible().first()
        if resource is not None:
            return {"title": resource.title, "url": resource.get_absolute_url()}
    return None


PICKER_LIMIT = 20


def _deep_link_picker(request, launch, person):
    """Communities, threads and resources the teacher may see, to place one in the course: four queries."""
    seen = visible_q(person, prefix="community__")
    context = {
        "launch_id": launch.get_launch_id(),
        "communities": Community.objects.filter(visible_q(person)).order_by("name")[:PICKER_LIMIT],
        "threads": Thread.objects.filter(seen, is_hidden=False)
        .select_related("community")
        .order_by("-last_activity_at")[:PICKER_LIMIT],
        "resources": Resource.objects.filter(seen)
        .visible()
        .select_related("community")
        .order_by("-created_at")[:PICKER_LIMIT],
    }
    return render(request, "api/lti_deep_link.html", context)


@csrf_exempt  # the LMS frame sends no CSRF cookie; the launch id (secret, single launch) stands in for it
@xframe_options_exempt
@require_POST
def deep_link_view(request):
    from lti_tool.utils import get_launch_from_request

    try:
        launch = get_launch_from_request(request, request.POST.get("launch_id", "")[:200])
    except LtiException as exc:
        return _refused(request, exc, status=400)
    if not launch.is_present or not launch.is_deep_link_launch:
        return _refused(request, LtiException("That is not a deep-linking launch."), status=400)
    kind, _, key = request.POST.get("choice", "").partition(":")
    person = request.user
    custom, title = _choice(kind, key, person)
    if custom is None:
        return _refused(request, LtiException("Pick a community, thread or resource you may see."), status=400)
    resource = (
        DeepLinkResource().set_url(absolute_url(reverse("lti:launch"))).set_title(title).set_custom_params(custom)
    )
    deep_link = launch.get_message_launch().get_deep_link()
    context = {
        "return_url": deep_link._deep_link_settings["deep_link_return_url"],
        "jwt": deep_link.get_response_jwt([resource]),
        "title": title,
    }
    return _framed(render(request, "api/lti_deep_link_return.html", context), launch.registration)


def _choice(kind, key, person):
    if not person.is_authenticated:
        return None, ""
    if kind == "community":
        community = Community.objects.filter(listed_q(person), slug=key).first()
        return ({"community": community.slug}, community.name) if community else (None, "")
    model = {"thread": Thread, "resource": Resource}.get(kind)
    if model is None or not key.isdigit():
        return None, ""
    found = model.objects.filter(pk=key).select_related("community").first()
    if found is None or not access_for(person, found.community).may_see:
        return None, ""
    if (kind == "thread" and found.is_hidden) or (kind == "resource" and found.status not in Resource.VISIBLE_STATUSES):
        return None, ""
    return {"community": found.community.slug, kind: str(found.pk)}, found.title
