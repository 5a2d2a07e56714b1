"""LTI 1.3 launches from a registered LMS, with a platform key pair made here (no outside traffic)."""

import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from accounts.models import User
from api.models import LmsPlatform
from communities.models import Community, Membership
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://lms.example.edu"
CLIENT_ID = "cop-forum-client"
DEPLOYMENT = "deployment-1"
LAUNCH_URL = "http://testserver/lti/launch/"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINK = "LtiDeepLinkingRequest"


def platform_key(kid="platform-key-1"):
    return JWK.generate(kty="RSA", size=2048, kid=kid)


@pytest.fixture
def platform(community):
    Key.objects.generate()
    key = platform_key()
    registration = LtiRegistration.objects.create(
        name="Springfield Canvas",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_url=f"{ISSUER}/api/lti/authorize",
        token_url=f"{ISSUER}/login/oauth2/token",
        keyset_url=f"{ISSUER}/api/lti/security/jwks",
    )
    public = json.loads(key.export_public())
    public["alg"] = "RS256"
    LmsPlatform.objects.create(registration=registration, community=community, jwks={"keys": [public]})
    LtiDeployment.objects.create(registration=registration, deployment_id=DEPLOYMENT, is_active=True)
    return key


def login_init(client, issuer=ISSUER):
    response = client.get(
        "/lti/login/",
        {
            "iss": issuer,
            "login_hint": "42",
            "target_link_uri": LAUNCH_URL,
            "client_id": CLIENT_ID,
            "lti_message_hint": "x",
        },
    )
    if response.status_code != 302:
        return response, None, None
    query = parse_qs(urlsplit(response["Location"]).query)
    return response, query["state"][0], query["nonce"][0]


def id_token(
    key,
    nonce,
    *,
    aud=CLIENT_ID,
    issuer=ISSUER,
    message=RESOURCE_LINK,
    custom=None,
    email="ana@school.example",
    sub="lms-user-42",
):
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": aud,
        "sub": sub,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "email": email,
        "name": "Ana Rivera",
        "given_name": "Ana",
        "family_name": "Rivera",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT,
        "https://purl.imsglobal.org/spec/lti/claim/message_type": message,
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/roles": [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
        ],
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": LAUNCH_URL,
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "course-7", "title": "Grade 5 CS"},
        "https://purl.imsglobal.org/spec/lti/claim/custom": custom or {},
    }
    if message == RESOURCE_LINK:
        claims["https://purl.imsglobal.org/spec/lti/claim/resource_link"] = {"id": str(uuid.uuid4())}
    else:
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
            "deep_link_return_url": f"{ISSUER}/deep_links",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
        }
    pem = key.export_to_pem(private_key=True, password=None)
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": key.get("kid")})


def launch(client, key, **kwargs):
    _response, state, nonce = login_init(client)
    token = id_token(key, nonce, **kwargs)
    return client.post("/lti/launch/", {"state": state, "id_token": token}), state, token


def test_a_valid_launch_signs_in_a_new_teacher_and_joins_the_open_community(client, platform, community):
    response, _state, _token = launch(client, platform)
    assert response.status_code == 200, response.content.decode()[:2000]
    person = User.objects.get(email="ana@school.example")
    assert person.display_name == "Ana Rivera"
    assert Membership.objects.filter(user=person, community=community).exists()
    assert client.get("/settings/").status_code == 200  # signed in
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {ISSUER}" in csp
    assert "X-Frame-Options" not in response
    # every other page still refuses to be framed
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]


def test_an_existing_account_is_matched_by_email_and_staff_never(client, platform):
    teacher = UserFactory(email="ana@school.example")
    launch(client, platform)
    assert int(client.session["_auth_user_id"]) == teacher.pk
    other = client.__class__()
    UserFactory(email="boss@school.example", is_staff=True)
    response, _state, _token = launch(other, platform, email="boss@school.example", sub="lms-user-7")
    assert response.status_code == 403
    assert "_auth_user_id" not in other.session


def test_the_link_names_a_thread_of_a_members_only_community_the_person_may_not_join(client, platform):
    closed = CommunityFactory(visibility=Community.Visibility.MEMBERS, join_policy=Community.JoinPolicy.REQUEST)
    thread = ThreadFactory(community=closed, title="Members-only loops")
    response, _state, _token = launch(client, platform, custom={"community": closed.slug, "thread": str(thread.pk)})
    assert response.status_code == 200
    assert b"Members-only loops" not in response.content
    assert b"Ask to join" in response.content
    assert not Membership.objects.filter(community=closed).exists()


def test_a_bad_signature_is_refused(client, platform):
    _response, state, nonce = login_init(client)
    forged = id_token(platform_key(kid=platform.get("kid")), nonce)  # same kid, another key
    response = client.post("/lti/launch/", {"state": state, "id_token": forged})
    assert response.status_code == 403
    assert not User.objects.filter(email="ana@school.example").exists()


def test_a_wrong_audience_is_refused(client, platform):
    response, _state, _token = launch(client, platform, aud="some-other-tool")
    assert response.status_code == 403
    assert not User.objects.filter(email="ana@school.example").exists()


def test_a_replayed_launch_is_refused(client, platform):
    first, state, token = launch(client, platform)
    assert first.status_code == 200
    replay = client.__class__()
    replay.cookies = client.cookies
    again = replay.post("/lti/launch/", {"state": state, "id_token": token})
    assert again.status_code == 403
    assert b"already used" in again.content or b"State" in again.content


def test_an_unregistered_issuer_is_refused(client, platform):
    response, _state, _nonce = login_init(client, issuer="https://evil.example")
    assert response.status_code == 400
    _response, state, nonce = login_init(client)
    token = id_token(platform, nonce, issuer="https://evil.example")
    assert client.post("/lti/launch/", {"state": state, "id_token": token}).status_code == 403


def test_garbage_is_refused_not_a_500(client, platform):
    assert client.post("/lti/launch/", {"state": "x", "id_token": "not.a.jwt"}).status_code == 403
    assert client.post("/lti/launch/", {}).status_code == 403
    assert client.get("/lti/login/").status_code == 400


def test_deep_linking_places_a_thread_in_the_course(client, platform, community):
    thread = ThreadFactory(community=community, title="Loops with dance moves")
    response, _state, _token = launch(client, platform, message=DEEP_LINK)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert b"Loops with dance moves" in response.content
    launch_id = response.context["launch_id"]
    chosen = client.post("/lti/deep-link/", {"launch_id": launch_id, "choice": f"thread:{thread.pk}"})
    assert chosen.status_code == 200
    assert f'action="{ISSUER}/deep_links"'.encode() in chosen.content
    signed = chosen.context["jwt"]
    body = jwt.decode(signed, options={"verify_signature": False})
    (item,) = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"community": community.slug, "thread": str(thread.pk)}
    assert body["aud"] == ISSUER or body["aud"] == [ISSUER]
    assert client.post("/lti/deep-link/", {"launch_id": launch_id, "choice": "thread:999999"}).status_code == 400
