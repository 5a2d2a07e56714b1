"""The chat room, its archive and the hosts' controls. Thin: forms in, services and selectors out.

Without JavaScript every control is an ordinary form POST (with CSRF) answered by a redirect
back to the room, or by the room again with the refusal and the text typed. The room's
script sends the same POSTs with ``X-Chat-Fetch: 1`` and gets JSON instead.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from calendar_app.models import Activity
from chats import selectors, services, ticker
from chats.forms import AskForm, MessageForm, PrepareForm, PublishForm
from chats.models import Chat
from chats.permissions import may_host
from communities.permissions import community_view
from core.links import absolute_url
from core.ratelimit import RateLimited
from core.refusals import message_for, status_for


def _fetch(request):
    return request.headers.get("X-Chat-Fetch") == "1"


def _status_of(exc):
    return status_for(exc)


def _text_of(exc):
    return message_for(exc)


def _refused(request, access, chat, exc, *, form=None, ask_form=None):
    """The refusal, as JSON for the room's script or as the room again (with what was typed)."""
    status, text = _status_of(exc), _text_of(exc)
    if _fetch(request):
        response = JsonResponse({"error": text}, status=status)
    else:
        response = _render_room(request, access, chat, form=form, ask_form=ask_form, error=text, status=status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.wait)
    return response


def _done(request, chat, text, **data):
    if _fetch(request):
        return JsonResponse({"ok": True, "message": text, **data})
    if text:
        messages.success(request, text)
    return redirect(chat.get_absolute_url())


def _chat(access, pk):
    return selectors.get_chat(community=access.community, activity_pk=pk)


def _library_link(request, access, chat):
    """The library's own "share a resource" form, filled in for this archive.

    Chats sit beside resources (DESIGN.md), so the archive goes into the library
    through the library's form, where the host reviews it, not through its services.
    """
    fields = {
        "title": f"Chat archive: {chat.title}"[:200],
        "kind": "article",
        "url": absolute_url(chat.get_absolute_url()),
        "description": f"Every prompt and answer of the chat “{chat.title}”, grouped by prompt, most helpful first.",
    }
    return reverse("resources:submit", kwargs={"slug": access.community.slug}) + "?" + urlencode(fields)


def _render_room(request, access, chat, *, form=None, ask_form=None, error=None, status=200):
    now = timezone.now()
    state = chat.state(now)
    hosting = may_host(access, chat=chat)
    context = {
        "community": access.community,
        "access": access,
        "chat": chat,
        "activity": chat.activity,
        "state": state,
        "State": Chat.State,
        "is_host": hosting,
        "tools_for_viewer": {"member": access.may_post, "host": hosting, "user_id": request.user.pk},
        "error": error,
    }
    if state == Chat.State.CLOSED:
        context["groups"] = selectors.archive(chat=chat)
        context["people"] = selectors.attendees_of(chat=chat)
        context["publish_form"] = PublishForm() if hosting else None
        context["library_url"] = _library_link(request, access, chat) if hosting else ""
        return render(request, "chats/archive.html", context, status=status)
    total, posted = selectors.prompt_counts(chat=chat)
    context.update(prompt_total=total, prompt_posted=posted)
    if state == Chat.State.UPCOMING:
        context["plan"] = list(chat.prompts.all()) if hosting else None
        context["opens_in"] = int((chat.opens_at - now).total_seconds())
        return render(request, "chats/upcoming.html", context, status=status)
    prompts = selectors.posted_prompts(chat=chat)
    form = form or MessageForm()
    wanted = request.GET.get("reply") or (form.data.get("parent") if form.is_bound else None)
    reply_to = selectors.message_in_room(chat=chat, pk=wanted) if access.may_post else None
    context.update(
        messages_=selectors.room_messages(chat=chat),
        prompts=prompts,
        current=prompts[-1] if prompts else None,
        form=form,
        ask_form=ask_form or AskForm(),
        reply_to=reply_to,
        people=selectors.present_people(chat=chat, now=now),
        last_seq=chat.last_seq,
    )
    return render(request, "chats/room.html", context, status=status)


@never_cache
@community_view("see")
def room(request, access, pk):
    """The room while it is live, what is coming before, the archive after."""
    activity = selectors.activity_or_404(community=access.community, pk=pk)
    chat = selectors.chat_of_activity(community=access.community, activity_pk=pk)
    if chat is None:
        if activity.kind != Activity.Kind.CHAT:
            raise Http404("This activity has no chat room.")
        hosting = may_host(access, activity=activity)
        context = {"community": access.community, "access": access, "activity": activity, "is_host": hosting}
        return render(request, "chats/not_prepared.html", context)
    ticker.ensure_started()
    return _render_room(request, access, chat)


@community_view("post")
def prepare(request, access, pk):
    activity = selectors.activity_or_404(community=access.community, pk=pk)
    if activity.kind != Activity.Kind.CHAT:
        raise Http404("This activity has no chat room.")
    chat = selectors.chat_of_activity(community=access.community, activity_pk=pk)
    if not may_host(access, chat=chat, activity=activity):
        raise PermissionDenied("Only the chat's hosts can prepare it.")
    initial = {}
    if chat is not None:
        initial = {
            "topic": chat.topic,
            "prompts": services.plan_text(chat),
            "cohosts": ", ".join(person.username for person in chat.cohosts.all()),
        }
    form = PrepareForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                chat = services.prepare_chat(
                    access=access,
                    activity=activity,
                    topic=form.cleaned_data["topic"],
                    prompts_text=form.cleaned_data["prompts"],
                    interval=form.interval_delta,
                    cohosts=form.cohost_names,
                )
            except (ValidationError, services.ChatClosed) as exc:
                form.add_error(None, _text_of(exc))
                status = _status_of(exc)
            else:
                messages.success(request, "The chat is ready. Its prompts will be posted at their times.")
                return redirect(chat.get_absolute_url())
    context = {"community": access.community, "access": access, "activity": activity, "chat": chat, "form": form}
    return render(request, "chats/prepare.html", context, status=status)


@require_POST
@community_view("post")
def post_message(request, access, pk):
    chat = _chat(access, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, chat, ValidationError("Pick one of the prompts posted so far."), form=form)
    try:
        message = services.post_message(
            access=access,
            chat=chat,
            body=form.cleaned_data["body"],
            prompt_number=form.cleaned_data["prompt"],
            parent_id=form.cleaned_data["parent"],
        )
    except (ValidationError, services.ChatClosed, RateLimited) as exc:
        return _refused(request, access, chat, exc, form=form)
    if _fetch(request):
        return JsonResponse({"ok": True, "seq": message.seq, "id": message.pk})
    return redirect(f"{chat.get_absolute_url()}#m{message.pk}")


@require_POST
@community_view("post")
def helpful(request, access, pk, message_id):
    chat = _chat(access, pk)
    try:
        message, marked = services.toggle_helpful(access=access, chat=chat, message_id=message_id)
    except ValidationError as exc:
        return _refused(request, access, chat, exc)
    text = "Marked helpful." if marked else "Helpful mark taken back."
    return _done(request, chat, "" if _fetch(request) else text, count=message.helpful_count, marked=marked)


@require_POST
@community_view("post")
def hide(request, access, pk, message_id):
    chat = _chat(access, pk)
    try:
        services.hide_message(access=access, chat=chat, message_id=message_id)
    except ValidationError as exc:
        return _refused(request, access, chat, exc)
    return _done(request, chat, "Hidden for everyone.")


@require_POST
@community_view("post")
def pin(request, access, pk):
    chat = _chat(access, pk)
    try:
        message = services.pin_message(access=access, chat=chat, message_id=request.POST.get("message") or None)
    except ValidationError as exc:
        return _refused(request, access, chat, exc)
    return _done(request, chat, "Pinned to the top." if message else "Unpinned.")


@require_POST
@community_view("post")
def ask(request, access, pk):
    chat = _chat(access, pk)
    form = AskForm(request.POST)
    form.is_valid()
    try:
        prompt = services.ask_now(access=access, chat=chat, body=form.cleaned_data.get("body", ""))
    except (ValidationError, services.ChatClosed) as exc:
        return _refused(request, access, chat, exc, ask_form=form)
    return _done(request, chat, f"{prompt.label} is posted.")


@require_POST
@community_view("post")
def pause(request, access, pk):
    chat = _chat(access, pk)
    paused = request.POST.get("paused") != "0"
    try:
        services.set_paused(access=access, chat=chat, paused=paused)
    except services.ChatClosed as exc:
        return _refused(request, access, chat, exc)
    return _done(request, chat, "Paused. Prompts still to come move later by the pause." if paused else "Resumed.")


@require_POST
@community_view("post")
def end(request, access, pk):
    chat = _chat(access, pk)
    try:
        services.end_chat(access=access, chat=chat)
    except services.ChatClosed as exc:
        return _refused(request, access, chat, exc)
    return _done(request, chat, "The chat has ended. This is its archive.")


@require_POST
@community_view("post")
def publish(request, access, pk):
    chat = _chat(access, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, chat, ValidationError(next(iter(form.errors.values()))))
    url = request.build_absolute_uri(chat.get_absolute_url())
    try:
        thread = services.publish_as_thread(
            access=access, chat=chat, kind=form.cleaned_data["kind"] or "lesson", archive_url=url
        )
    except (ValidationError, services.ChatClosed, RateLimited) as exc:
        return _refused(request, access, chat, exc)
    messages.success(request, "The archive is now a discussion thread.")
    return redirect(thread.get_absolute_url())
