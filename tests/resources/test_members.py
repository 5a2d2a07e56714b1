import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from communities.models import Community
from resources.models import Resource, SavedResource, UsefulMark
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.resources.factories import ResourceFactory
from tests.resources.samples import PDF, PNG

pytestmark = pytest.mark.django_db


def url(name, resource):
    return reverse(f"resources:{name}", kwargs={"slug": resource.community.slug, "pk": resource.pk})


def test_member_marks_a_resource_useful_once(client, community, member):
    resource = ResourceFactory(community=community)
    client.force_login(member)
    assert client.post(url("useful", resource), {"useful": "1"}).status_code == 302
    response = client.post(url("useful", resource), {"useful": "1"})
    assert response.status_code == 409
    assert "already marked this resource useful" in response.content.decode()
    resource.refresh_from_db()
    assert resource.useful_count == 1
    assert UsefulMark.objects.count() == 1


def test_marking_useful_toggles_off(client, community, member):
    resource = ResourceFactory(community=community)
    client.force_login(member)
    client.post(url("useful", resource), {"useful": "1"})
    client.post(url("useful", resource), {"useful": "0"})
    resource.refresh_from_db()
    assert resource.useful_count == 0
    assert not UsefulMark.objects.exists()


def test_htmx_useful_returns_the_button_fragment(client, community, member):
    resource = ResourceFactory(community=community)
    client.force_login(member)
    response = client.post(url("useful", resource), {"useful": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Useful ✓ (1)" in body
    assert "<html" not in body


def test_a_pending_resource_cannot_be_marked_useful(client, community, member):
    resource = ResourceFactory(community=community, submitted=True, submitted_by=member)
    client.force_login(member)
    assert client.post(url("useful", resource), {"useful": "1"}).status_code == 403
    assert not UsefulMark.objects.exists()


def test_saving_puts_it_on_my_saved_list(client, community, member):
    resource = ResourceFactory(community=community, title="Keep me")
    client.force_login(member)
    client.post(url("save", resource), {"saved": "1"})
    assert client.post(url("save", resource), {"saved": "1"}).status_code == 409
    page = client.get(reverse("resources:saved")).content.decode()
    assert "Keep me" in page
    assert SavedResource.objects.count() == 1


def test_saved_list_drops_resources_of_communities_i_left(client, member):
    secret = CommunityFactory(visibility=Community.Visibility.MEMBERS, join_policy="request")
    membership = MembershipFactory(community=secret, user=member)
    resource = ResourceFactory(community=secret, title="Members only plan")
    SavedResource.objects.create(resource=resource, user=member)
    membership.delete()
    client.force_login(member)
    assert "Members only plan" not in client.get(reverse("resources:saved")).content.decode()


def test_saved_list_needs_login(client):
    assert client.get(reverse("resources:saved")).status_code == 302


def _file_resource(community, name, content, content_type):
    resource = ResourceFactory.build(
        community=community,
        submitted_by=UserFactory(),
        url="",
        kind="file",
        file_name=name,
        content_type=content_type,
    )
    resource.file.save(name, ContentFile(content), save=True)
    return resource


def test_a_document_downloads_as_an_attachment_with_nosniff(client, community, member):
    resource = _file_resource(community, "plan.pdf", PDF, "application/pdf")
    client.force_login(member)
    response = client.get(url("download", resource))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="plan.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_an_image_is_shown_inline(client, community):
    resource = _file_resource(community, "chart.png", PNG, "image/png")
    response = client.get(url("download", resource))
    assert response["Content-Disposition"].startswith("inline")


def test_a_members_only_file_is_refused_to_outsiders(client):
    secret = CommunityFactory(visibility=Community.Visibility.MEMBERS, join_policy="request")
    resource = _file_resource(secret, "plan.pdf", PDF, "application/pdf")
    client.force_login(UserFactory())
    assert client.get(url("download", resource)).status_code == 403
    client.logout()
    assert client.get(url("download", resource)).status_code == 302


def test_a_pending_file_is_not_downloadable_by_other_members(client, community, member):
    resource = _file_resource(community, "plan.pdf", PDF, "application/pdf")
    Resource.objects.filter(pk=resource.pk).update(status="submitted")
    client.force_login(member)
    assert client.get(url("download", resource)).status_code == 404


def test_the_media_url_does_not_serve_uploads(client, community):
    resource = _file_resource(community, "plan.pdf", PDF, "application/pdf")
    assert client.get(f"/media/{resource.file.name}").status_code == 404


def test_discuss_creates_one_thread_and_links_to_it(client, community, member):
    resource = ResourceFactory(community=community, title="Exit tickets")
    client.force_login(member)
    first = client.post(url("discuss", resource))
    second = client.post(url("discuss", resource))
    resource.refresh_from_db()
    thread = resource.discussion_thread
    assert thread is not None
    assert thread.community == community
    assert "Exit tickets" in thread.title
    assert first["Location"] == second["Location"] == thread.get_absolute_url()
    assert "Discussion of this resource" in client.get(resource.get_absolute_url()).content.decode()
