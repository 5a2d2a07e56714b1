from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from communities.permissions import community_view
from core.pagecache import cached_page
from core.refusals import REFUSALS, refuse, status_for
from resources import fragments, selectors, services
from resources.filters import ResourceFilter
from resources.forms import CollectionForm, CollectionItemForm, ItemNoteForm, RejectForm, ResourceForm
from resources.models import Collection, CollectionItem, Resource

PAGE_SIZE = 20

PREFILL = {"title": 200, "kind": 20, "url": 2000, "description": 2000}


def _problem(request, access, error):
    """A refusal: the message beside the control for htmx, else a page that links back to the library."""
    context = {
        "access": access,
        "community": access.community,
        "active": "resources",
        "back": reverse("resources:library", kwargs={"slug": access.community.slug}),
        "back_label": "Back to the resource library",
    }
    return refuse(request, error, context=context)


def _resource_or_404(access, pk):
    return get_object_or_404(Resource.objects.filter(community=access.community).visible_to(access), pk=pk)


def _form_errors(form, exc):
    for message in exc.messages:
        form.add_error(None, message)


def _service_args(data):
    return {
        "title": data["title"],
        "description": data["description"],
        "kind": data["kind"],
        "url": data["url"],
        "file": data.get("file") or None,
        "focus_areas": list(data["focus_areas"]),
        "grade_bands": data["grade_bands"],
        "subjects": data["subjects"],
        "tags": data["tags"],
    }


@community_view("see")
@cached_page(params=("q", "kind", "focus_area", "grade_band", "subject", "status", "sort", "page"))
def library(request, access):
    data = request.GET or None
    form, listing = fragments.library_listing(
        data, access=access, page_number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    page = listing.page
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "access": access,
        "community": access.community,
        # Built only if something reads it: the form's markup and outcome come from the cache.
        "filter": SimpleLazyObject(lambda: ResourceFilter(data, access=access)),
        "filtered": data is not None,
        "filter_form": form.markup,
        "page": page,
        # An empty page's slice still costs compiling its query: the count says there is nothing to fetch.
        "rows": fragments.resource_rows(page.object_list if page.paginator.count else (), access=access),
        "query_string": query.urlencode(),
    }
    return render(request, "resources/library.html", context, status=200 if form.valid else 400)


@community_view("see")
@cached_page()
def detail(request, access, pk):
    resource = get_object_or_404(selectors.resource_for_page(access=access, pk=pk))
    context = {
        "access": access,
        "community": access.community,
        "resource": resource,
        "collections": selectors.collections_of_resource(resource=resource),
        "decisions": selectors.decisions_of(resource=resource) if access.may_moderate else (),
        "may_edit": access.may_moderate
        or (access.may_edit(resource.submitted_by_id) and resource.status == Resource.Status.SUBMITTED),
        "reject_form": RejectForm(),
    }
    return render(request, "resources/detail.html", context)


@community_view("post")
def submit(request, access):
    label = "Add to the library" if access.may_moderate else "Submit for review"
    # Other pages may link here with the form filled in (a chat archive: ?title=&url=&kind=&description=).
    initial = {name: request.GET.get(name, "")[:limit] for name, limit in PREFILL.items() if request.GET.get(name)}
    form = ResourceForm(
        request.POST or None, request.FILES or None, community=access.community, submit_label=label, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.submit_resource(access=access, **_service_args(form.cleaned_data))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if resource.is_visible:
                messages.success(request, "The resource is in the library.")
            else:
                messages.success(request, "Thanks! A moderator will review your resource; you'll get an email.")
            return redirect(resource)
    status = 400 if request.method == "POST" else 200
    context = {"access": access, "community": access.community, "form": form, "heading": "Share a resource"}
    return render(request, "resources/form.html", context, status=status)


@community_view("post")
def edit(request, access, pk):
    resource = _resource_or_404(access, pk)
    if not (
        access.may_moderate
        or (access.may_edit(resource.submitted_by_id) and resource.status == Resource.Status.SUBMITTED)
    ):
        raise PermissionDenied("Only moderators can edit a resource once it has been reviewed.")
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        community=access.community,
        resource=resource,
        submit_label="Save changes",
        initial=ResourceForm.initial_for(resource),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resource(access=access, resource=resource, **_service_args(form.cleaned_data))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(resource)
    status = 400 if request.method == "POST" else 200
    context = {
        "access": access,
        "community": access.community,
        "form": form,
        "resource": resource,
        "heading": f"Edit “{resource.title}”",
    }
    return render(request, "resources/form.html", context, status=status)


DECISIONS = {
    "approve": (services.approve_resource, "Approved: it is in the library."),
    "feature": (services.feature_resource, "Featured this month."),
    "unfeature": (services.unfeature_resource, "No longer featured; it stays in the library."),
    "archive": (services.archive_resource, "Archived."),
}


@require_POST
@community_view("moderate")
def decide(request, access, pk):
    resource = get_object_or_404(Resource, community=access.community, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"][0])
            services.reject_resource(access=access, resource=resource, reason=form.cleaned_data["reason"])
            done = "Rejected; the submitter will get your reason by email."
        elif action in DECISIONS:
            service, done = DECISIONS[action]
            service(access=access, resource=resource)
        else:
            raise ValidationError("Choose approve, feature, reject or archive.")
    except REFUSALS as error:
        return _problem(request, access, error)
    messages.success(request, done)
    next_url = request.POST.get("next", "")
    if next_url == "review":
        return redirect("resources:review", slug=access.community.slug)
    return redirect(resource)


def _toggle(request, access, pk, service, field, on_message, off_message):
    resource = _resource_or_404(access, pk)
    wanted = request.POST.get(field)
    try:
        if wanted not in ("0", "1"):
            raise ValidationError("Something was missing from the form. Reload the page and try again.")
        resource = service(access=access, resource=resource, **{field: wanted == "1"})
    except REFUSALS as error:
        return _problem(request, access, error)
    resource.is_useful_to_me = resource.useful_marks.filter(user=request.user).exists()
    resource.is_saved_by_me = resource.saves.filter(user=request.user).exists()
    if request.htmx:
        return render(request, f"resources/includes/{field}_button.html", {"resource": resource, "access": access})
    messages.success(request, on_message if wanted == "1" else off_message)
    return redirect(resource)


@require_POST
@community_view("post")
def mark_useful(request, access, pk):
    return _toggle(
        request, access, pk, services.set_useful, "useful", "Marked useful. Thank you!", "No longer marked useful."
    )


@require_POST
@community_view("post")
def save(request, access, pk):
    return _toggle(
        request, access, pk, services.set_saved, "saved", "Saved to your list.", "Removed from your saved list."
    )


@community_view("see")
def download(request, access, pk):
    resource = _resource_or_404(access, pk)
    if not resource.file:
        raise Http404("This resource has no file.")
    try:
        handle = resource.file.storage.open(resource.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing; tell a moderator.") from exc
    response = FileResponse(
        handle,
        as_attachment=not resource.is_image,
        filename=resource.file_name or "resource",
        content_type=resource.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@community_view("post")
def discuss(request, access, pk):
    resource = _resource_or_404(access, pk)
    try:
        resource = services.start_resource_discussion(access=access, resource=resource)
    except REFUSALS as error:
        return _problem(request, access, error)
    return redirect(resource.discussion_thread.get_absolute_url())


@community_view("moderate")
def review(request, access):
    submitted, broken = selectors.review_queue(community=access.community)
    context = {
        "access": access,
        "community": access.community,
        "submitted": submitted,
        "broken": broken,
        "reject_form": RejectForm(),
    }
    return render(request, "resources/review.html", context)


# -- collections -----------------------------------------------------------


@community_view("see")
def collections(request, access):
    context = {
        "access": access,
        "community": access.community,
        "collections": selectors.collections_for_community(community=access.community),
    }
    return render(request, "resources/collections.html", context)


@community_view("see")
def collection(request, access, pk):
    item = get_object_or_404(Collection, community=access.community, pk=pk)
    context = {
        "access": access,
        "community": access.community,
        "collection": item,
        "items": selectors.collection_items(collection=item),
    }
    return render(request, "resources/collection.html", context)


@community_view("moderate")
def collection_new(request, access):
    form = CollectionForm(request.POST or None, submit_label="Create collection")
    if request.method == "POST" and form.is_valid():
        if Collection.objects.filter(community=access.community, title__iexact=form.cleaned_data["title"]).exists():
            form.add_error("title", "A collection with this title already exists.")
        else:
            created = services.create_collection(access=access, **form.cleaned_data)
            messages.success(request, "Collection created. Now add resources to it.")
            return redirect("resources:collection_edit", slug=access.community.slug, pk=created.pk)
    context = {"access": access, "community": access.community, "form": form}
    return render(request, "resources/collection_form.html", context, status=400 if form.errors else 200)


@community_view("moderate")
def collection_edit(request, access, pk):
    target = get_object_or_404(Collection, community=access.community, pk=pk)
    form = CollectionForm(request.POST or None, initial={"title": target.title, "description": target.description})
    if request.method == "POST" and form.is_valid():
        clash = Collection.objects.filter(community=access.community, title__iexact=form.cleaned_data["title"])
        if clash.exclude(pk=target.pk).exists():
            form.add_error("title", "A collection with this title already exists.")
        else:
            services.update_collection(access=access, collection=target, **form.cleaned_data)
            messages.success(request, "Collection saved.")
            return redirect("resources:collection_edit", slug=access.community.slug, pk=target.pk)
    return _collection_edit_page(request, access, target, form=form, status=400 if form.errors else 200)


def _collection_edit_page(request, access, target, *, form=None, item_form=None, status=200):
    context = {
        "access": access,
        "community": access.community,
        "collection": target,
        "form": form or CollectionForm(initial={"title": target.title, "description": target.description}),
        "item_form": item_form or CollectionItemForm(community=access.community),
        "items": selectors.collection_items(collection=target, visible_only=False),
    }
    return render(request, "resources/collection_edit.html", context, status=status)


@require_POST
@community_view("moderate")
def collection_add(request, access, pk):
    target = get_object_or_404(Collection, community=access.community, pk=pk)
    item_form = CollectionItemForm(request.POST, community=access.community)
    status = 400
    if item_form.is_valid():
        try:
            services.add_to_collection(access=access, collection=target, **item_form.cleaned_data)
        except ValidationError as exc:
            item_form.add_error("resource", " ".join(exc.messages))
            status = status_for(exc)
        else:
            messages.success(request, "Added to the collection.")
            return redirect("resources:collection_edit", slug=access.community.slug, pk=target.pk)
    return _collection_edit_page(request, access, target, item_form=item_form, status=status)


@require_POST
@community_view("moderate")
def collection_item(request, access, pk, item_pk):
    item = get_object_or_404(
        CollectionItem.objects.select_related("collection"),
        collection__community=access.community,
        collection__pk=pk,
        pk=item_pk,
    )
    action = request.POST.get("action", "")
    if action in ("up", "down"):
        services.move_collection_item(access=access, item=item, direction=action)
    elif action == "remove":
        services.remove_collection_item(access=access, item=item)
        messages.success(request, "Removed from the collection.")
    elif action == "note":
        form = ItemNoteForm(request.POST)
        if not form.is_valid():
            return _problem(request, access, ValidationError("Keep the note under 500 characters."))
        services.update_collection_item(access=access, item=item, note=form.cleaned_data["note"])
        messages.success(request, "Note saved.")
    else:
        return _problem(request, access, ValidationError("Choose move up, move down, save note or remove."))
    return redirect(reverse("resources:collection_edit", kwargs={"slug": access.community.slug, "pk": pk}))


@login_required
def saved(request):
    items = selectors.saved_resources_of(user=request.user)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "resources/saved.html", {"page": page})
