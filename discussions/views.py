import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.models import FocusArea
from communities.permissions import community_view, search_scope
from core import search as core_search
from core.pagecache import cached_page, keeps_visitor_pages
from core.panels import collect
from core.refusals import REFUSALS, refuse
from discussions import selectors, services
from discussions.forms import (
    EditPostForm,
    EditThreadForm,
    FlagForm,
    ModeratePostForm,
    ModerateThreadForm,
    ReplyForm,
    SearchForm,
    ThreadFilterForm,
    ThreadForm,
    new_submission,
    similar_url,
)
from discussions.fragments import post_url_prefix
from discussions.models import Post, Revision


def _add_errors(form, error):
    """Put a service's ValidationError on the form (a field's message under that field)."""
    if not isinstance(error, ValidationError):
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _thread_or_404(access, thread_id):
    thread = selectors.thread_for_page(access=access, thread_id=thread_id)
    if thread is None:
        raise Http404("No such thread in this community.")
    return thread


def _post_or_404(access, thread, post_id):
    post = Post.objects.select_related("author").filter(pk=post_id, thread=thread, community=access.community).first()
    if post is None:
        raise Http404("No such reply in this thread.")
    post.thread = thread
    return post


# -- lists -------------------------------------------------------------------------------


@community_view("see")
@cached_page(params=("sort", "kind", "focus_area", "page"))
def thread_list(request, access):
    community = access.community
    form = ThreadFilterForm(request.GET or None, community=community)
    sort, kind, focus_area = "latest", "", None
    status = 200
    if form.is_bound:
        if form.is_valid():
            sort = form.cleaned_data["sort"] or "latest"
            kind = form.cleaned_data["kind"]
            focus_area = form.cleaned_data["focus_area"]
        else:
            status = 400
    listing = selectors.thread_list_page(
        access=access,
        user=request.user,
        sort=sort,
        kind=kind,
        focus_area=focus_area,
        page_number=request.GET.get("page"),
    )
    if listing.focus_areas is not None:  # read with the list: the form need not query them
        form.show_focus_areas(listing.focus_areas)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "community": community,
        "access": access,
        "form": form,
        "page": listing.page,
        "threads": listing.threads,
        "counts": listing.counts,
        "sort": sort,
        "sort_labels": selectors.SORT_LABELS,
        "query": query.urlencode(),
    }
    return render(request, "discussions/thread_list.html", context, status=status)


# -- writing a thread ----------------------------------------------------------------------


@community_view("post")
def new_thread(request, access):
    community = access.community
    form = ThreadForm(request.POST or None, community=community, similar_url=similar_url(community))
    context = {"community": community, "access": access, "form": form}
    if request.method != "POST":
        return render(request, "discussions/new_thread.html", context)
    if not form.is_valid():
        return render(request, "discussions/new_thread.html", context, status=400)
    if "preview" in request.POST:
        context["preview_html"] = services.render_body(form.cleaned_data["body"])[0]
        return render(request, "discussions/new_thread.html", context)
    data = form.cleaned_data
    try:
        thread = services.create_thread(
            author=request.user,
            community=community,
            title=data["title"],
            body=data["body"],
            kind=data["kind"],
            focus_area=data["focus_area"],
            access=access,
            submission=data.get("submission", ""),
        )
    except REFUSALS as error:
        _add_errors(form, error)
        return refuse(request, error, template="discussions/new_thread.html", context=context)
    messages.success(request, "Your post is up. You follow it and will hear about replies.")
    return redirect(thread.get_absolute_url())


@require_GET
@community_view("post")
def similar(request, access):
    threads = selectors.similar_threads(access=access, title=request.GET.get("title", ""))
    return render(request, "discussions/includes/similar.html", {"similar": threads, "community": access.community})


@require_POST
@community_view("post")
def preview(request, access):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError(_form_errors(form)), fragment="discussions/includes/preview.html")
    html = services.render_body(form.cleaned_data["body"])[0]
    return render(request, "discussions/includes/preview.html", {"preview_html": html})


def _form_errors(form):
    return [e for errors in form.errors.values() for e in errors]


# -- one thread -----------------------------------------------------------------------------


def _thread_context(request, access, thread, *, reply_form=None, page_number=None):
    if not hasattr(thread, "read_state"):  # a thread from thread_for_page (a refused write): what the reader sees
        thread = selectors.thread_for_reader(access=access, thread_id=thread.pk, viewer=request.user) or thread
    page, nodes = selectors.thread_page(
        thread=thread, page_number=page_number or request.GET.get("page") or 1, viewer=request.user
    )
    posts = [node.post for node in selectors.flatten(nodes)]
    reply_to = request.GET.get("reply_to", "")
    reply_to = next((p for p in posts if str(p.pk) == reply_to and not p.is_removed), None)
    slug = access.community.slug
    return {
        "community": access.community,
        "access": access,
        "thread": thread,
        "reply_to": reply_to,
        "page": page,
        "nodes": nodes,
        "following": getattr(thread, "following", False),
        "may_edit_thread": access.may_edit(thread.author_id),
        "may_accept": thread.is_question and access.may_edit(thread.author_id),
        "reply_form": reply_form or ReplyForm(),
        "submission_key": new_submission(),
        "moderate_form": ModerateThreadForm(community=access.community) if access.may_moderate else None,
        "focus_areas": FocusArea.objects.filter(community=access.community) if access.may_moderate else (),
        "panels": collect("thread_panel", thread=thread, viewer=request.user, access=access),
        "read_state": getattr(thread, "read_state", None),
        "read_upto": max((post.pk for post in posts), default=0),
        # The thread's own links are this + "reply/", "follow/", ... (discussions/urls.py): one reverse() a page.
        "thread_base": reverse("discussions:thread", kwargs={"slug": slug, "thread_id": thread.pk}),
        "preview_url": reverse("discussions:preview", kwargs={"slug": slug}),
        "mention_url": reverse("communities:mention_candidates", kwargs={"slug": slug}),
    }


@community_view("see")
@cached_page(params=("page",))
def thread_detail(request, access, thread_id, thread_slug=None):
    thread = selectors.thread_for_reader(access=access, thread_id=thread_id, viewer=request.user)
    if thread is None:
        raise Http404("No such thread in this community.")
    if thread_slug is not None and thread_slug != thread.slug:
        return redirect(thread.get_absolute_url(), permanent=True)
    return render(request, "discussions/thread.html", _thread_context(request, access, thread))


@community_view("see")
def post_link(request, access, thread_id, post_id):
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id)
    page = selectors.page_of_post(post=post)
    query = f"?page={page}" if page > 1 else ""
    return redirect(f"{thread.get_absolute_url()}{query}#{post.anchor}")


def _reply_parent(form):
    """The post a reply answers, if any (the service refuses one of another thread)."""
    parent_id = form.cleaned_data["parent"]
    if not parent_id:
        return None
    parent = Post.objects.filter(pk=parent_id).first()
    if parent is None:
        raise Http404("That reply is no longer there. Reply to the thread instead.")
    return parent


@require_POST
@community_view("post")
def reply(request, access, thread_id):
    thread = _thread_or_404(access, thread_id)
    form = ReplyForm(request.POST)
    parent = None
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        parent = _reply_parent(form)
        if "preview" in request.POST:
            context = _thread_context(request, access, thread, reply_form=form)
            context["preview_html"] = services.render_body(form.cleaned_data["body"])[0]
            return render(request, "discussions/thread.html", context)
        post = services.create_reply(
            access=access,
            thread=thread,
            body=form.cleaned_data["body"],
            parent=parent,
            submission=form.cleaned_data["submission"],
        )
    except REFUSALS as error:
        _add_errors(form, error)
        context = {} if request.htmx else _thread_context(request, access, thread, reply_form=form)
        context["reply_parent"] = parent
        return refuse(request, error, template="discussions/thread.html", context=context)
    if not request.htmx:
        messages.success(request, "Your reply is posted.")
        return redirect(post.get_absolute_url())
    post.author = request.user
    post.marked = False
    node = selectors.Node(post)
    if post.depth > selectors.MAX_VISIBLE_DEPTH and parent is not None:
        node.in_reply_to = parent.author
    thread.reply_count = selectors.reply_count(thread=thread)
    context = {
        "node": node,
        "thread": thread,
        "community": access.community,
        "access": access,
        "may_accept": thread.is_question and access.may_edit(thread.author_id),
        "just_posted": True,
        "post_base": post_url_prefix(community=access.community, thread=thread),
    }
    return render(request, "discussions/includes/new_reply.html", context)


@community_view("post")
def edit_thread(request, access, thread_id):
    thread = _thread_or_404(access, thread_id)
    services.check_may_edit(access, author_id=thread.author_id)
    initial = {"title": thread.title, "kind": thread.kind, "body": thread.body}
    form = EditThreadForm(request.POST or None, initial=initial)
    context = {"community": access.community, "access": access, "thread": thread, "form": form}
    if request.method != "POST":
        return render(request, "discussions/edit.html", context)
    if not form.is_valid():
        return render(request, "discussions/edit.html", context, status=400)
    try:
        services.edit_thread(access=access, thread=thread, **form.cleaned_data)
    except REFUSALS as error:
        _add_errors(form, error)
        return refuse(request, error, template="discussions/edit.html", context=context)
    messages.success(request, "Your changes are saved.")
    return redirect(thread.get_absolute_url())


@community_view("post")
def edit_post(request, access, thread_id, post_id):
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id)
    services.check_may_edit(access, author_id=post.author_id, what="reply")
    form = EditPostForm(request.POST or None, initial={"body": post.body})
    context = {"community": access.community, "access": access, "thread": thread, "post": post, "form": form}
    if request.method != "POST":
        return render(request, "discussions/edit.html", context)
    if not form.is_valid():
        return render(request, "discussions/edit.html", context, status=400)
    try:
        services.edit_post(access=access, post=post, body=form.cleaned_data["body"])
    except REFUSALS as error:
        _add_errors(form, error)
        return refuse(request, error, template="discussions/edit.html", context=context)
    messages.success(request, "Your changes are saved.")
    return redirect(post.get_absolute_url())


@require_http_methods(["GET", "POST"])
@community_view("post")
def delete_post(request, access, thread_id, post_id):
    """GET asks first (works without JavaScript); POST deletes."""
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id)
    if request.method != "POST":
        services.check_may_edit(access, author_id=post.author_id, what="delete")
        context = {
            "community": access.community,
            "access": access,
            "active": "discussions",
            "question": f"Delete this reply in “{thread.title}”?",
            "subject": Truncator(post.body).chars(300),
            "consequences": ["Replace its text with “Deleted by its author.”", "Keep the replies to it."],
            "confirm_label": "Delete the reply",
            "cancel_url": post.get_absolute_url(),
        }
        return render(request, "confirm.html", context)
    services.delete_post(access=access, post=post)
    messages.success(request, "The reply is deleted; replies to it stay.")
    return redirect(post.get_absolute_url())


def _history(request, access, thread, post):
    author_id = post.author_id if post else thread.author_id
    if not access.may_edit(author_id):
        raise PermissionDenied("Only the author and moderators can see the edit history.")
    revisions = Revision.objects.filter(thread=thread, post=post).select_related("editor")
    context = {"community": access.community, "access": access, "thread": thread, "post": post}
    context["revisions"] = revisions
    return render(request, "discussions/history.html", context)


@community_view("post")
def thread_history(request, access, thread_id):
    thread = _thread_or_404(access, thread_id)
    return _history(request, access, thread, None)


@community_view("post")
def post_history(request, access, thread_id, post_id):
    thread = _thread_or_404(access, thread_id)
    return _history(request, access, thread, _post_or_404(access, thread, post_id))


@require_POST
@community_view("post")
def helpful(request, access, thread_id, post_id):
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id)
    try:
        post, marked = services.toggle_helpful(access=access, post=post)
    except REFUSALS as error:
        context = {"community": access.community, "access": access, "back": post.get_absolute_url()}
        return refuse(request, error, context=context)
    if request.htmx:
        context = {
            "post": post,
            "marked": marked,
            "thread": thread,
            "community": access.community,
            "access": access,
            "post_base": post_url_prefix(community=access.community, thread=thread),
        }
        return render(request, "discussions/includes/helpful_button.html", context)
    messages.success(request, "Marked as helpful." if marked else "Removed your “helpful”.")
    return redirect(post.get_absolute_url())


@require_POST
@community_view("post")
def accept(request, access, thread_id, post_id):
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id)
    try:
        thread = services.accept_answer(access=access, thread=thread, post=post)
    except REFUSALS as error:
        context = {"community": access.community, "access": access, "back": thread.get_absolute_url()}
        return refuse(request, error, context=context)
    if thread.accepted_post_id:
        messages.success(request, "Marked as the accepted answer. It now shows at the top.")
    else:
        messages.success(request, "That reply is no longer the accepted answer.")
    return redirect(thread.get_absolute_url())


@require_POST
@community_view("post")
def follow(request, access, thread_id):
    thread = _thread_or_404(access, thread_id)
    wants = request.POST.get("follow") == "1"
    services.set_following(access=access, thread=thread, follow=wants)
    messages.success(
        request, "You follow this thread." if wants else "You no longer follow this thread; no more reply emails."
    )
    return redirect(thread.get_absolute_url())


@community_view("post")
def flag(request, access, thread_id, post_id=None):
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id) if post_id else None
    form = FlagForm(request.POST or None)
    context = {"community": access.community, "access": access, "thread": thread, "post": post, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.flag(
                    access=access,
                    thread=thread,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    category=form.cleaned_data["category"],
                )
            except REFUSALS as error:
                _add_errors(form, error)
                return refuse(request, error, template="discussions/flag.html", context=context)
            messages.success(request, "Thanks. The moderators will take a look.")
            return redirect(post.get_absolute_url() if post else thread.get_absolute_url())
        return render(request, "discussions/flag.html", context, status=400)
    return render(request, "discussions/flag.html", context)


# -- moderation -----------------------------------------------------------------------------


@require_POST
@community_view("moderate")
def moderate_thread(request, access, thread_id):
    thread = _thread_or_404(access, thread_id)
    form = ModerateThreadForm(request.POST, community=access.community)
    if not form.is_valid():
        messages.error(request, " ".join(_form_errors(form)))
        context = _thread_context(request, access, thread)
        context["moderate_form"] = form
        return render(request, "discussions/thread.html", context, status=400)
    data = form.cleaned_data
    services.moderate_thread(
        access=access, thread=thread, action=data["action"], reason=data["reason"], focus_area=data["focus_area"]
    )
    messages.success(request, _DONE[data["action"]])
    return redirect(request.POST.get("next") if _safe_next(request, access) else thread.get_absolute_url())


@require_POST
@community_view("moderate")
def moderate_post(request, access, thread_id, post_id):
    thread = _thread_or_404(access, thread_id)
    post = _post_or_404(access, thread, post_id)
    form = ModeratePostForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(_form_errors(form)))
        return render(request, "discussions/thread.html", _thread_context(request, access, thread), status=400)
    services.moderate_post(
        access=access, post=post, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
    )
    messages.success(request, _DONE[form.cleaned_data["action"]])
    return redirect(request.POST.get("next") if _safe_next(request, access) else post.get_absolute_url())


_DONE = {
    "pin": "Pinned to the top of the list.",
    "unpin": "Unpinned.",
    "lock": "Locked: no new replies.",
    "unlock": "Unlocked: replies are open again.",
    "hide": "Hidden from members, with your reason.",
    "restore": "Restored: visible again.",
    "move": "Moved.",
}


def _safe_next(request, access):
    return request.POST.get("next", "") == reverse("discussions:moderation", kwargs={"slug": access.community.slug})


@community_view("moderate")
def moderation_queue(request, access):
    context = {
        "community": access.community,
        "access": access,
        "flags": selectors.open_flags(community=access.community),
    }
    return render(request, "discussions/moderation.html", context)


@require_POST
@community_view("moderate")
def dismiss_flag(request, access, flag_id):
    flag = (
        selectors.Flag.objects.filter(pk=flag_id, community=access.community).select_related("thread", "post").first()
    )
    if flag is None:
        raise Http404("No such flag.")
    services.dismiss_flag(access=access, flag=flag)
    messages.success(request, "Flag dismissed; the content stays as it is.")
    return redirect("discussions:moderation", slug=access.community.slug)


@community_view("moderate")
def moderation_log(request, access):
    page = selectors.Paginator(selectors.moderation_log(community=access.community), 50).get_page(
        request.GET.get("page")
    )
    context = {"community": access.community, "access": access, "page": page, "entries": page.object_list}
    return render(request, "discussions/moderation_log.html", context)


# -- search ---------------------------------------------------------------------------------


@cached_page(
    community=False, params=("q", "type", "community", "kind", "focus_area", "author", "since", "until", "page")
)
def search(request):
    """Search what the viewer may see, grouped by kind (discussions, resources, activities, polls).

    With ``type`` one kind is paged on its own; without it discussions are paged and
    each other kind shows its best few on the first page, linking to the rest.
    """
    scope = search_scope(request.user)
    kinds = core_search.providers()
    form = SearchForm(request.GET or None, scope=scope, kinds=kinds)
    context = {"form": form, "sections": [], "searched": False}
    if not form.is_bound:
        return render(request, "discussions/search.html", context)
    if not form.is_valid():
        return render(request, "discussions/search.html", context, status=400)
    data = form.cleaned_data
    terms = core_search.parse(data["q"])
    context.update({"searched": True, "terms": terms, "words": terms.text})
    if not terms:
        context["empty_query"] = bool(data["q"].strip())
        return render(request, "discussions/search.html", context)
    focus_area = None
    if data["community"] is not None and request.GET.get("focus_area", "").isdigit():
        focus_area = FocusArea.objects.filter(community_id=data["community"], pk=request.GET["focus_area"]).first()
    only = data["type"] or ""
    # A kind of discussion or a focus area narrows to discussions: the other kinds have neither.
    if data["kind"] or focus_area is not None:
        only = "discussions"
    filters = core_search.Filters(
        community=data["community"],
        author=data["author"],
        since=_day_start(data["since"]),
        until=_day_start(data["until"], next_day=True),
    )
    sections, suggestion = selectors.search_everything(
        viewer=request.user,
        terms=terms,
        scope=scope,
        filters=filters,
        only=only,
        kind=data["kind"],
        focus_area=focus_area,
        page_number=request.GET.get("page") or "1",
    )
    query = request.GET.copy()
    query.pop("page", None)
    overview = query.copy()
    for narrowing in ("type", "kind", "focus_area"):
        overview.pop(narrowing, None)
    context.update(
        {
            "sections": sections,
            "found": sum(s.count for s in sections),
            "capped": any(s.capped for s in sections),
            "only": only,
            "query": query.urlencode(),
            "overview_query": overview.urlencode(),
            "focus_area": focus_area,
            "suggestion": suggestion,
        }
    )
    if suggestion is not None:
        corrected = query.copy()
        corrected["q"] = suggestion.text
        context["suggestion_query"] = corrected.urlencode()
    return render(request, "discussions/search.html", context)


def _day_start(day, next_day=False):
    if day is None:
        return None
    if next_day:
        day = day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# -- reading position ------------------------------------------------------------------------


@keeps_visitor_pages
@require_POST
@community_view("see")
def mark_read(request, access, thread_id):
    """The thread page POSTs here once it has loaded (htmx), or the reader presses "Mark as read"."""
    thread = _thread_or_404(access, thread_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    upto = request.POST.get("upto", "").strip()
    if not upto.isdigit() or len(upto) > 18:
        raise ValidationError("Say which reply you have read up to.")
    services.mark_thread_read(access=access, thread=thread, upto=int(upto))
    if request.htmx:
        return HttpResponse("")  # the form swaps itself away: nothing to press any more
    messages.success(request, "Marked as read.")
    return redirect(thread.get_absolute_url())
