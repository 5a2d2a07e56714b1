"""Every write to the resource library. Keyword-only, one transaction, permission checked here.

Services take the caller's ``communities.permissions.Access`` and raise
``PermissionDenied`` (403) or ``ValidationError`` (``code="conflict"``, a 409, when the
thing is already so) themselves, so a view can never skip a check.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from communities.models import FocusArea
from communities.permissions import Access
from core.refusals import CONFLICT
from core.text import render_markdown
from resources import signals
from resources.models import (
    Collection,
    CollectionItem,
    CurationDecision,
    Resource,
    SavedResource,
    UsefulMark,
    join_codes,
)
from resources.uploads import inspect_upload


def _require(access: Access, allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _same_community(access: Access, obj: Any) -> None:
    if obj.community_id != access.community.pk:
        # Never say what the object is: it belongs to a community the caller may not see.
        raise PermissionDenied("That does not belong to this community.")


def _apply_metadata(
    resource: Resource,
    *,
    title: str,
    description: str,
    kind: str,
    url: str,
    focus_areas: Iterable[FocusArea],
    grade_bands: Iterable[str],
    subjects: Iterable[str],
    tags: str,
    file: UploadedFile | None = None,
) -> None:
    resource.title = title.strip()
    resource.description = description
    resource.description_html = render_markdown(description)
    resource.kind = kind
    resource.url = url
    resource.grade_bands = join_codes(grade_bands)
    resource.subjects = join_codes(subjects)
    resource.tags = ", ".join(dict.fromkeys(t.strip().lower() for t in tags.split(",") if t.strip()))[:300]
    if file is not None:
        inspected = inspect_upload(file)
        name = file.name or "file"
        resource.file_name = name.rsplit("/", 1)[-1][:255]
        resource.file_size = inspected.size
        resource.content_type = inspected.content_type
        resource.file.save(name, file, save=False)
    if not resource.url and not resource.file:
        raise ValidationError("Add a web address or upload a file.")


@transaction.atomic
def submit_resource(
    *,
    access: Access,
    title: str,
    description: str = "",
    kind: str,
    url: str = "",
    file: UploadedFile | None = None,
    focus_areas: Iterable[FocusArea] = (),
    grade_bands: Iterable[str] = (),
    subjects: Iterable[str] = (),
    tags: str = "",
) -> Resource:
    """A member submits a resource for review; a moderator's goes straight into the library (approved)."""
    _require(access, access.may_post, "Only members of this community can add resources. Join it first.")
    now = timezone.now()
    resource = Resource(community=access.community, submitted_by=access.user, created_at=now)
    _apply_metadata(
        resource,
        title=title,
        description=description,
        kind=kind,
        url=url,
        focus_areas=focus_areas,
        grade_bands=grade_bands,
        subjects=subjects,
        tags=tags,
        file=file,
    )
    if access.may_moderate:
        resource.status = Resource.Status.APPROVED
        resource.curated_by, resource.curated_at, resource.approved_at = access.user, now, now
    resource.save()
    resource.focus_areas.set([a for a in focus_areas if a.community_id == access.community.pk])
    if resource.status == Resource.Status.APPROVED:
        _announce_approved(resource)
    return resource


@transaction.atomic
def update_resource(
    *,
    access: Access,
    resource: Resource,
    title: str,
    description: str = "",
    kind: str,
    url: str = "",
    file: UploadedFile | None = None,
    focus_areas: Iterable[FocusArea] = (),
    grade_bands: Iterable[str] = (),
    subjects: Iterable[str] = (),
    tags: str = "",
) -> Resource:
    """Moderators edit any resource's metadata; a submitter edits their own until it is reviewed."""
    _same_community(access, resource)
    may = access.may_moderate or (
        access.may_edit(resource.submitted_by_id) and resource.status == Resource.Status.SUBMITTED
    )
    _require(access, may, "Only moderators can edit a resource once it has been reviewed.")
    original_url = resource.url
    old_file = resource.file.name if file is not None and resource.file else None
    _apply_metadata(
        resource,
        title=title,
        description=description,
        kind=kind,
        url=url,
        focus_areas=focus_areas,
        grade_bands=grade_bands,
        subjects=subjects,
        tags=tags,
        file=file,
    )
    if resource.url != original_url:
        resource.link_status, resource.link_problem, resource.link_checked_at = Resource.LinkStatus.UNCHECKED, "", None
    resource.save()
    resource.focus_areas.set([a for a in focus_areas if a.community_id == access.community.pk])
    if old_file:
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return resource


def _decide(access: Access, resource: Resource, action: str, reason: str = "") -> CurationDecision:
    decision = CurationDecision.objects.create(resource=resource, moderator=access.user, action=action, reason=reason)
    if resource.submitted_by_id and resource.submitted_by_id != access.user.pk and action != "unfeatured":
        from resources.tasks import email_submitter_about_decision

        transaction.on_commit(lambda: email_submitter_about_decision.delay(decision.pk), robust=True)
    return decision


def _locked(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().get(pk=resource.pk)


@transaction.atomic
def approve_resource(*, access: Access, resource: Resource) -> Resource:
    """Put a submitted (or rejected/archived) resource into the library; the submitter is emailed."""
    _same_community(access, resource)
    _require(access, access.may_moderate, "Only moderators of this community can approve resources.")
    resource = _locked(resource)
    if resource.status == Resource.Status.APPROVED:
        raise ValidationError("This resource is already in the library.", code=CONFLICT)
    resource = _put_in_library(access, resource, Resource.Status.APPROVED, CurationDecision.Action.APPROVED)
    _announce_approved(resource)
    return resource


def _announce_approved(resource: Resource) -> None:
    transaction.on_commit(lambda: signals.resource_approved.send(sender=Resource, resource=resource), robust=True)


@transaction.atomic
def feature_resource(*, access: Access, resource: Resource) -> Resource:
    """Feature a resource, dated now so it lists under “featured this month”; approves it if needed."""
    _same_community(access, resource)
    _require(access, access.may_moderate, "Only moderators of this community can feature resources.")
    resource = _locked(resource)
    if resource.status == Resource.Status.FEATURED:
        raise ValidationError("This resource is already featured.", code=CONFLICT)
    return _put_in_library(access, resource, Resource.Status.FEATURED, CurationDecision.Action.FEATURED)


def _put_in_library(access: Access, resource: Resource, status: str, action: str) -> Resource:
    """Approve or feature a locked resource: curated now by the moderator, approved (once) and featured if so."""
    now = timezone.now()
    resource.status = status
    resource.rejection_reason = ""
    resource.curated_by, resource.curated_at = access.user, now
    resource.approved_at = resource.approved_at or now
    if status == Resource.Status.FEATURED:
        resource.featured_at = now
    resource.save()
    _decide(access, resource, action)
    return resource


@transaction.atomic
def unfeature_resource(*, access: Access, resource: Resource) -> Resource:
    """Stop featuring: the resource stays in the library as approved."""
    _same_community(access, resource)
    _require(access, access.may_moderate, "Only moderators of this community can change featured resources.")
    resource = _locked(resource)
    if resource.status != Resource.Status.FEATURED:
        raise ValidationError("This resource is not featured.", code=CONFLICT)
    resource.status = Resource.Status.APPROVED
    resource.curated_by, resource.curated_at = access.user, timezone.now()
    resource.save()
    _decide(access, resource, CurationDecision.Action.UNFEATURED)
    return resource


@transaction.atomic
def reject_resource(*, access: Access, resource: Resource, reason: str) -> Resource:
    """Turn a resource down with a reason the submitter reads in their email."""
    _same_community(access, resource)
    _require(access, access.may_moderate, "Only moderators of this community can reject resources.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Tell the submitter why: write a short reason.")
    resource = _locked(resource)
    if resource.status == Resource.Status.REJECTED:
        raise ValidationError("This resource is already rejected.", code=CONFLICT)
    resource.status = Resource.Status.REJECTED
    resource.rejection_reason = reason
    resource.curated_by, resource.curated_at = access.user, timezone.now()
    resource.save()
    _decide(access, resource, CurationDecision.Action.REJECTED, reason)
    return resource


@transaction.atomic
def archive_resource(*, access: Access, resource: Resource) -> Resource:
    """Retire a resource from the library without deleting it."""
    _same_community(access, resource)
    _require(access, access.may_moderate, "Only moderators of this community can archive resources.")
    resource = _locked(resource)
    if resource.status == Resource.Status.ARCHIVED:
        raise ValidationError("This resource is already archived.", code=CONFLICT)
    resource.status = Resource.Status.ARCHIVED
    resource.curated_by, resource.curated_at = access.user, timezone.now()
    resource.save()
    _decide(access, resource, CurationDecision.Action.ARCHIVED)
    return resource


def _require_visible_for_member(access: Access, resource: Resource) -> None:
    _same_community(access, resource)
    _require(access, access.may_post, "Only members of this community can do that. Join it first.")
    if not resource.is_visible:
        raise PermissionDenied("Only resources in the library can be marked or saved.")


@transaction.atomic
def set_useful(*, access: Access, resource: Resource, useful: bool) -> Resource:
    """Mark (``useful=True``) or unmark a resource as useful, once per person; repeating is refused as a conflict."""
    _require_visible_for_member(access, resource)
    if useful:
        try:
            with transaction.atomic():
                UsefulMark.objects.create(resource=resource, user=access.user)
        except IntegrityError as exc:
            raise ValidationError("You have already marked this resource useful.", code=CONFLICT) from exc
        Resource.objects.filter(pk=resource.pk).update(useful_count=F("useful_count") + 1)
    else:
        deleted, _ = UsefulMark.objects.filter(resource=resource, user=access.user).delete()
        if not deleted:
            raise ValidationError("You had not marked this resource useful.", code=CONFLICT)
        Resource.objects.filter(pk=resource.pk, useful_count__gt=0).update(useful_count=F("useful_count") - 1)
    resource.refresh_from_db(fields=["useful_count"])
    return resource


@transaction.atomic
def set_saved(*, access: Access, resource: Resource, saved: bool) -> Resource:
    """Save a resource to your own list or take it off; repeating is refused as a conflict."""
    _require_visible_for_member(access, resource)
    if saved:
        try:
            with transaction.atomic():
                SavedResource.objects.create(resource=resource, user=access.user)
        except IntegrityError as exc:
            raise ValidationError("This resource is already in your saved list.", code=CONFLICT) from exc
    else:
        deleted, _ = SavedResource.objects.filter(resource=resource, user=access.user).delete()
        if not deleted:
            raise ValidationError("This resource is not in your saved list.", code=CONFLICT)
    return resource


# -- collections -----------------------------------------------------------


def _require_curator(access: Access, obj: Any = None) -> None:
    if obj is not None:
        _same_community(access, obj)
    _require(access, access.may_moderate, "Only moderators of this community can build collections.")


@transaction.atomic
def create_collection(*, access: Access, title: str, description: str = "") -> Collection:
    """A new, empty collection at the end of the community's list."""
    _require_curator(access)
    last = Collection.objects.filter(community=access.community).aggregate(m=Max("position"))["m"]
    return Collection.objects.create(
        community=access.community,
        title=title.strip(),
        description=description,
        description_html=render_markdown(description),
        created_by=access.user,
        position=(last or 0) + 1,
    )


@transaction.atomic
def update_collection(*, access: Access, collection: Collection, title: str, description: str = "") -> Collection:
    _require_curator(access, collection)
    collection.title = title.strip()
    collection.description = description
    collection.description_html = render_markdown(description)
    collection.save()
    return collection


@transaction.atomic
def add_to_collection(*, access: Access, collection: Collection, resource: Resource, note: str = "") -> CollectionItem:
    """Append a library resource to a collection, with a note on why it is there."""
    _require_curator(access, collection)
    _same_community(access, resource)
    if not resource.is_visible:
        raise ValidationError("Only approved or featured resources can go in a collection.")
    if collection.items.filter(resource=resource).exists():
        raise ValidationError("That resource is already in this collection.", code=CONFLICT)
    last = collection.items.aggregate(m=Max("position"))["m"]
    return CollectionItem.objects.create(
        collection=collection, resource=resource, note=note.strip(), position=(last or 0) + 1
    )


@transaction.atomic
def move_collection_item(*, access: Access, item: CollectionItem, direction: str) -> CollectionItem:
    """Swap an item with its neighbour above (``up``) or below (``down``)."""
    _require_curator(access, item.collection)
    items = list(item.collection.items.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        return item
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    return item


@transaction.atomic
def update_collection_item(*, access: Access, item: CollectionItem, note: str) -> CollectionItem:
    _require_curator(access, item.collection)
    item.note = note.strip()
    item.save(update_fields=["note"])
    return item


@transaction.atomic
def remove_collection_item(*, access: Access, item: CollectionItem) -> None:
    _require_curator(access, item.collection)
    item.delete()


# -- discussion ------------------------------------------------------------


@transaction.atomic
def start_resource_discussion(*, access: Access, resource: Resource) -> Resource:
    """The resource's discussion thread, created (once) on first use through discussions.services."""
    from discussions.services import create_thread

    _require_visible_for_member(access, resource)
    resource = _locked(resource)
    if resource.discussion_thread_id is None:
        body = f"Discussion of the resource [{resource.title}]({resource.get_absolute_url()})."
        thread = create_thread(
            author=access.user,
            community=access.community,
            title=f"Resource: {resource.title}"[:200],
            body=body,
            kind="idea",
        )
        resource.discussion_thread = thread
        resource.save(update_fields=["discussion_thread"])
    return resource
