from django.core.files.base import ContentFile

from resources.models import Resource
from tests.matrix import SECRET_MARKER, Rule
from tests.resources.factories import CollectionFactory, CollectionItemFactory, ResourceFactory


def _resource(community, author, **extra):
    return ResourceFactory(
        community=community,
        submitted_by=author,
        title=f"Lesson {SECRET_MARKER}",
        description=SECRET_MARKER,
        description_html=f"<p>{SECRET_MARKER}</p>",
        **extra,
    )


def resource_kwargs(community, author):
    return {"pk": _resource(community, author).pk}


def submitted_kwargs(community, author):
    return {"pk": _resource(community, author, submitted=True).pk}


def file_kwargs(community, author):
    resource = ResourceFactory.build(
        community=community,
        submitted_by=author,
        title=f"Notes {SECRET_MARKER}",
        url="",
        kind=Resource.Kind.FILE,
        file_name="notes.txt",
        content_type="text/plain; charset=utf-8",
    )
    resource.file.save("notes.txt", ContentFile(f"notes {SECRET_MARKER}".encode()), save=True)
    return {"pk": resource.pk}


def collection_kwargs(community, author):
    collection = CollectionFactory(community=community, title=f"Set {SECRET_MARKER}")
    CollectionItemFactory(collection=collection, resource=_resource(community, author))
    return {"pk": collection.pk}


def item_kwargs(community, author):
    item = CollectionItemFactory(
        collection=CollectionFactory(community=community), resource=_resource(community, author)
    )
    return {"pk": item.collection_id, "item_pk": item.pk}


RULES = {
    "resources:library": Rule("see"),
    "resources:submit": Rule("post"),
    "resources:review": Rule("moderate"),
    "resources:detail": Rule("see", kwargs=resource_kwargs),
    "resources:edit": Rule("moderate", kwargs=resource_kwargs),
    "resources:decide": Rule("moderate", method="POST", kwargs=submitted_kwargs, data={"action": "feature"}),
    "resources:useful": Rule("post", method="POST", kwargs=resource_kwargs, data={"useful": "1"}),
    "resources:save": Rule("post", method="POST", kwargs=resource_kwargs, data={"saved": "1"}),
    "resources:download": Rule("see", kwargs=file_kwargs),
    "resources:discuss": Rule("post", method="POST", kwargs=resource_kwargs),
    "resources:collections": Rule("see"),
    "resources:collection": Rule("see", kwargs=collection_kwargs),
    "resources:collection_new": Rule("moderate"),
    "resources:collection_edit": Rule("moderate", kwargs=collection_kwargs),
    "resources:collection_add": Rule("moderate", method="POST", kwargs=collection_kwargs, data={"resource": "0"}),
    "resources:collection_item": Rule("moderate", method="POST", kwargs=item_kwargs, data={"action": "down"}),
}
