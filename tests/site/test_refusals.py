"""core.refusals: the one place a refused action becomes a response (issue 16, item 3)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from communities.models import Membership
from core.ratelimit import RateLimited
from core.refusals import CONFLICT, GONE, message_for, status_for
from discussions.models import Post
from tests.discussions.factories import PostFactory, ThreadFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (PermissionDenied("No."), 403),
        (Http404("Gone."), 404),
        (ValidationError("Bad."), 400),
        (ValidationError({"body": "Too long."}), 400),
        (ValidationError("Already so.", code=CONFLICT), 409),
        (ValidationError("Link expired.", code=GONE), 410),
        (RateLimited(wait=12), 429),
    ],
)
def test_each_refusal_has_its_status(error, status):
    assert status_for(error) == status


def test_messages_are_for_people_not_developers():
    assert message_for(ValidationError({"body": ["Too long."], "title": ["Give it a title."]})) == (
        "Too long. Give it a title."
    )
    assert message_for(RateLimited(wait=12)) == "You are doing that very quickly. Please wait 12 seconds and try again."
    assert message_for(Http404("No Post matches the given query.")) == (
        "We could not find that. It may have been deleted or moved."
    )
    assert message_for(PermissionDenied()) == "You are not allowed to do that."


def _reply_url(thread):
    return reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})


@pytest.mark.django_db
def test_an_htmx_refusal_goes_into_the_senders_slot_and_not_over_the_form(client, community, member):
    thread = ThreadFactory(community=community, is_locked=True)
    client.force_login(member)
    response = client.post(_reply_url(thread), {"body": "Kept in the box"}, HTTP_HX_TRIGGER="reply-form-thread", **HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#reply-form-thread-refusal"
    assert response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert "This thread is locked: no new replies." in body
    assert "<textarea" not in body, "the box the person typed in is not replaced"


@pytest.mark.django_db
def test_a_sender_id_that_is_not_an_id_is_not_echoed_as_a_selector(client, community, member):
    thread = ThreadFactory(community=community, is_locked=True)
    client.force_login(member)
    response = client.post(_reply_url(thread), {"body": "x"}, HTTP_HX_TRIGGER="a, body", **HTMX)
    assert response.status_code == 403
    assert "HX-Retarget" not in response


@pytest.mark.django_db
def test_a_rate_limited_reply_answers_429_with_retry_after(client, community, member, settings):
    settings.POST_RATE_LIMIT = "1/m"
    thread = ThreadFactory(community=community)
    client.force_login(member)
    assert client.post(_reply_url(thread), {"body": "One"}, **HTMX).status_code == 200
    response = client.post(_reply_url(thread), {"body": "Two"}, HTTP_HX_TRIGGER="reply-form-thread", **HTMX)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "posting very quickly" in response.content.decode()
    plain = client.post(_reply_url(thread), {"body": "Three, without JavaScript"})
    assert plain.status_code == 429
    assert "Retry-After" in plain
    assert "Three, without JavaScript" in plain.content.decode(), "the full page keeps the text in the form"
    assert Post.objects.count() == 1


@pytest.mark.django_db
def test_a_refusal_raised_before_the_view_still_lands_next_to_the_control(client, community, member):
    """community_view refuses someone removed from the community: the middleware answers it the same way."""
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread)
    client.force_login(member)
    Membership.objects.filter(user=member).delete()
    url = reverse("discussions:helpful", kwargs={"slug": community.slug, "thread_id": thread.pk, "post_id": post.pk})
    response = client.post(url, HTTP_HX_TRIGGER=f"helpful-{post.pk}", **HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == f"#helpful-{post.pk}-refusal"
    assert 'role="alert"' in response.content.decode()
    plain = client.post(url)
    assert plain.status_code == 403
    assert "<html" in plain.content.decode(), "without htmx it is Django's 403 page"


@pytest.mark.django_db
def test_a_stale_csrf_token_gets_a_message_for_htmx(community, member):
    thread = ThreadFactory(community=community)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(_reply_url(thread), {"body": "x"}, HTTP_HX_TRIGGER="reply-form-thread", **HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#reply-form-thread-refusal"
    assert "reload the page" in response.content.decode()


@pytest.mark.django_db
def test_an_uncaught_validation_error_is_a_400_page_not_a_500(rf, member):
    from core.refusals import RefusalMiddleware

    request = rf.post("/anything/")
    request.user = member
    request.htmx = False
    request._messages = None
    response = RefusalMiddleware(lambda r: None).process_exception(request, ValidationError("Pick one."))
    assert response.status_code == 400
    assert "Pick one." in response.content.decode()


def test_the_hand_written_before_swap_handlers_are_gone():
    from pathlib import Path

    scripts = Path(__file__).resolve().parents[2] / "static" / "js"
    for script in scripts.glob("*.js"):
        assert "htmx:beforeSwap" not in script.read_text(), script.name
    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
    assert '"responseHandling"' in base


@pytest.mark.django_db
def test_without_javascript_a_reply_to_a_locked_thread_is_shown_back_to_copy(client, community, member):
    thread = ThreadFactory(community=community, is_locked=True)
    client.force_login(member)
    response = client.post(_reply_url(thread), {"body": "Twenty minutes of careful writing"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This thread is locked: no new replies." in html
    assert "Twenty minutes of careful writing</textarea>" in html
