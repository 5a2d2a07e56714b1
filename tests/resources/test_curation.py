import pytest
from django.core import mail
from django.urls import reverse

from resources.models import CurationDecision, Resource
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory
from tests.resources.factories import ResourceFactory
from tests.resources.samples import EXE, PDF, upload

pytestmark = pytest.mark.django_db


def submit_url(community):
    return reverse("resources:submit", kwargs={"slug": community.slug})


def decide_url(resource):
    return reverse("resources:decide", kwargs={"slug": resource.community.slug, "pk": resource.pk})


def test_member_submits_a_link_and_it_waits_for_review(client, community, member):
    area = FocusAreaFactory(community=community)
    client.force_login(member)
    response = client.post(
        submit_url(community),
        {
            "title": "Unplugged sorting",
            "kind": "lesson_plan",
            "url": "https://example.org/sorting",
            "description": "Students **sort** cards.",
            "focus_areas": [area.pk],
            "grade_bands": ["k2", "3-5"],
            "subjects": ["cs"],
            "tags": "Sorting, unplugged, sorting",
        },
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert (resource.status, resource.submitted_by, resource.grade_bands) == ("submitted", member, ",k2,3-5,")
    assert resource.description_html == "<p>Students <strong>sort</strong> cards.</p>\n"
    assert resource.tags == "sorting, unplugged"
    assert list(resource.focus_areas.all()) == [area]


def test_moderator_adds_a_resource_straight_into_the_library(client, community, moderator):
    client.force_login(moderator)
    client.post(submit_url(community), {"title": "Rubric", "kind": "link", "url": "https://example.org/r"})
    resource = Resource.objects.get()
    assert (resource.status, resource.curated_by) == ("approved", moderator)


def test_a_url_that_is_not_http_is_refused(client, community, member):
    client.force_login(member)
    response = client.post(submit_url(community), {"title": "X", "kind": "link", "url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert "Enter a valid URL" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_link_to_this_server_is_refused(client, community, member, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    client.force_login(member)
    response = client.post(submit_url(community), {"title": "X", "kind": "link", "url": "http://127.0.0.1:8000/"})
    assert response.status_code == 400
    assert "private network" in response.content.decode()
    assert not Resource.objects.exists()


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_stored(client, community, member, settings):
    client.force_login(member)
    response = client.post(submit_url(community), {"title": "Plan", "kind": "file", "file": upload("plan.pdf", EXE)})
    assert response.status_code == 400
    assert "not a file type the library accepts" in response.content.decode()
    assert not Resource.objects.exists()
    assert not (settings.MEDIA_ROOT / "resources").exists()


def test_a_file_over_the_limit_is_refused(client, community, member, settings):
    settings.RESOURCE_UPLOAD_MAX_BYTES = 100
    client.force_login(member)
    response = client.post(
        submit_url(community), {"title": "Plan", "kind": "file", "file": upload("plan.pdf", PDF + b"0" * 200)}
    )
    assert response.status_code == 400
    assert "accepts files up to" in response.content.decode()
    assert not Resource.objects.exists()


def test_an_uploaded_file_is_stored_under_a_random_name(client, community, member):
    client.force_login(member)
    client.post(submit_url(community), {"title": "Plan", "kind": "file", "file": upload("My Plan.pdf", PDF)})
    resource = Resource.objects.get()
    assert resource.file_name == "My Plan.pdf"
    assert resource.content_type == "application/pdf"
    assert "My Plan" not in resource.file.name
    assert resource.file.name.endswith(".pdf")
    assert resource.file.storage.exists(resource.file.name)


def test_empty_submission_shows_what_is_missing(client, community, member):
    client.force_login(member)
    response = client.post(submit_url(community), {"title": "", "kind": "link"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_moderator_approves_and_the_submitter_is_emailed(
    client, community, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(resource), {"action": "approve"})
    resource.refresh_from_db()
    assert response.status_code == 302
    assert (resource.status, resource.curated_by) == ("approved", moderator)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [resource.submitted_by.email]
    assert "approved" in mailoutbox[0].subject


def test_featuring_is_dated_and_emails_the_submitter(
    client, community, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(resource), {"action": "feature"})
    resource.refresh_from_db()
    assert resource.status == "featured"
    assert resource.featured_at is not None
    assert "featured" in mailoutbox[0].subject


def test_rejecting_needs_a_reason_and_the_reason_reaches_the_submitter(
    client, community, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(moderator)
    response = client.post(decide_url(resource), {"action": "reject", "reason": ""})
    assert response.status_code == 400
    assert "write a short reason" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(resource), {"action": "reject", "reason": "Behind a paywall."})
    resource.refresh_from_db()
    assert (resource.status, resource.rejection_reason) == ("rejected", "Behind a paywall.")
    assert "Behind a paywall." in mailoutbox[0].body


def test_the_decision_email_is_sent_once_even_if_the_task_runs_twice(community, moderator, mailoutbox):
    from resources.tasks import email_submitter_about_decision

    resource = ResourceFactory(community=community, submitted=True)
    decision = CurationDecision.objects.create(resource=resource, moderator=moderator, action="approved")
    assert email_submitter_about_decision(decision.pk) is True
    assert email_submitter_about_decision(decision.pk) is False
    assert len(mailoutbox) == 1


def test_approving_twice_is_a_conflict(client, community, moderator):
    resource = ResourceFactory(community=community)
    client.force_login(moderator)
    response = client.post(decide_url(resource), {"action": "approve"})
    assert response.status_code == 409
    assert "already in the library" in response.content.decode()


def test_featuring_as_a_member_is_forbidden(client, community, member):
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(member)
    assert client.post(decide_url(resource), {"action": "feature"}).status_code == 403
    resource.refresh_from_db()
    assert resource.status == "submitted"
    assert not mail.outbox


def test_approving_another_communitys_resource_is_not_found(client, community, moderator):
    elsewhere = ResourceFactory(community=CommunityFactory(), submitted=True)
    client.force_login(moderator)
    url = reverse("resources:decide", kwargs={"slug": community.slug, "pk": elsewhere.pk})
    assert client.post(url, {"action": "approve"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "submitted"


def test_an_unknown_action_is_a_bad_request(client, community, moderator):
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(moderator)
    assert client.post(decide_url(resource), {"action": "delete"}).status_code == 400


def test_a_submitter_edits_their_pending_submission_but_not_after_review(client, community, member):
    resource = ResourceFactory(community=community, submitted_by=member, submitted=True)
    client.force_login(member)
    url = reverse("resources:edit", kwargs={"slug": community.slug, "pk": resource.pk})
    response = client.post(url, {"title": "Better title", "kind": "link", "url": resource.url})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Better title"
    Resource.objects.filter(pk=resource.pk).update(status="approved")
    assert client.get(url).status_code == 403


def test_submissions_are_hidden_from_other_members(client, community, member):
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(member)
    url = reverse("resources:detail", kwargs={"slug": community.slug, "pk": resource.pk})
    assert client.get(url).status_code == 404


def test_review_queue_lists_submissions_and_broken_links(client, community, moderator):
    waiting = ResourceFactory(community=community, submitted=True, title="Waiting one")
    ResourceFactory(community=community, title="Dead link", link_status="broken", link_problem="HTTP 404")
    client.force_login(moderator)
    page = client.get(reverse("resources:review", kwargs={"slug": community.slug})).content.decode()
    assert waiting.title in page
    assert "Dead link" in page


def test_review_queue_query_count_does_not_grow(client, community, moderator, assert_num_queries_exact):
    ResourceFactory.create_batch(60, community=community, submitted=True)
    ResourceFactory.create_batch(20, community=community, link_status="broken")
    client.force_login(moderator)
    with assert_num_queries_exact(10):  # 9, and the moderation counts on the community tabs
        response = client.get(reverse("resources:review", kwargs={"slug": community.slug}))
    assert response.status_code == 200


def test_staff_moderates_without_membership(client, community):
    staff = MembershipFactory().user
    staff.is_staff = True
    staff.save()
    resource = ResourceFactory(community=community, submitted=True)
    client.force_login(staff)
    assert client.post(decide_url(resource), {"action": "approve"}).status_code == 302
