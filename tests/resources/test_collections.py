import pytest
from django.urls import reverse

from communities.permissions import access_for
from resources.models import Collection, CollectionItem
from resources.panels import community_home_panel
from tests.resources.factories import CollectionFactory, CollectionItemFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def test_moderator_builds_an_ordered_annotated_collection(client, community, moderator):
    first = ResourceFactory(community=community, title="First")
    second = ResourceFactory(community=community, title="Second")
    client.force_login(moderator)
    response = client.post(
        reverse("resources:collection_new", kwargs={"slug": community.slug}),
        {"title": "Getting started with SEL", "description": "Start *here*."},
    )
    collection = Collection.objects.get()
    assert response["Location"] == reverse(
        "resources:collection_edit", kwargs={"slug": community.slug, "pk": collection.pk}
    )
    add = reverse("resources:collection_add", kwargs={"slug": community.slug, "pk": collection.pk})
    client.post(add, {"resource": first.pk, "note": "Read before the first meeting."})
    client.post(add, {"resource": second.pk})
    second_item = CollectionItem.objects.get(resource=second)
    client.post(
        reverse(
            "resources:collection_item", kwargs={"slug": community.slug, "pk": collection.pk, "item_pk": second_item.pk}
        ),
        {"action": "up"},
    )
    page = client.get(collection.get_absolute_url()).content.decode()
    assert page.index("Second") < page.index("First")
    assert "Read before the first meeting." in page
    assert "<em>here</em>" in page


def test_adding_the_same_resource_twice_is_a_conflict(client, community, moderator):
    item = CollectionItemFactory(collection__community=community, resource__community=community)
    client.force_login(moderator)
    response = client.post(
        reverse("resources:collection_add", kwargs={"slug": community.slug, "pk": item.collection_id}),
        {"resource": item.resource_id},
    )
    assert response.status_code == 409
    assert "already in this collection" in response.content.decode()
    assert CollectionItem.objects.count() == 1


def test_a_resource_from_another_community_cannot_be_added(client, community, moderator):
    collection = CollectionFactory(community=community)
    foreign = ResourceFactory()
    client.force_login(moderator)
    response = client.post(
        reverse("resources:collection_add", kwargs={"slug": community.slug, "pk": collection.pk}),
        {"resource": foreign.pk},
    )
    assert response.status_code == 400
    assert not CollectionItem.objects.exists()


def test_members_cannot_build_collections(client, community, member):
    client.force_login(member)
    response = client.post(reverse("resources:collection_new", kwargs={"slug": community.slug}), {"title": "Mine"})
    assert response.status_code == 403
    assert not Collection.objects.exists()


def test_community_home_shows_this_months_featured_resources_and_collections(
    client, community, assert_num_queries_exact
):
    ResourceFactory(community=community, featured=True, title="Star of the month")
    CollectionFactory(community=community, title="Getting started with SEL")
    page = client.get(community.get_absolute_url()).content.decode()
    assert "Star of the month" in page
    assert "Featured this month" in page
    assert "Getting started with SEL" in page


def test_home_panel_runs_two_queries_whatever_the_size(community, member, assert_num_queries_exact):
    ResourceFactory.create_batch(30, community=community, featured=True)
    for collection in CollectionFactory.create_batch(10, community=community):
        CollectionItemFactory.create_batch(3, collection=collection, resource__community=community)
    access = access_for(member, community)
    with assert_num_queries_exact(2):
        panel = community_home_panel(community=community, viewer=member, access=access)
    assert len(panel["featured"]) == 4
    assert len(panel["collections"]) == 4
