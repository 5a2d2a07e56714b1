"""Who may open each chat URL (see tests/matrix.py). Hosts are the community's schedulers here."""

from tests.chats.factories import add_message, add_prompt, ended_chat, live_chat
from tests.matrix import SECRET_MARKER, Rule


def _live(community, author):
    chat = live_chat(community=community, host=None, topic=f"Topic {SECRET_MARKER}")
    prompt = add_prompt(chat, 1, f"Question {SECRET_MARKER}", posted=True)
    chat.answer = add_message(chat, author=author, prompt=prompt, body=f"Answer {SECRET_MARKER}")
    return chat


def room(community, author):
    return {"pk": _live(community, author).activity_id}


def message(community, author):
    chat = _live(community, author)
    return {"pk": chat.activity_id, "message_id": chat.answer.pk}


def ended(community, author):
    chat = ended_chat(community=community, topic=f"Topic {SECRET_MARKER}")
    prompt = add_prompt(chat, 1, f"Question {SECRET_MARKER}", posted=True)
    add_message(chat, author=author, prompt=prompt, body=f"Answer {SECRET_MARKER}")
    return {"pk": chat.activity_id}


RULES = {
    "chats:room": Rule("see", kwargs=room),
    "chats:prepare": Rule("schedule", kwargs=room),
    "chats:post": Rule("post", method="POST", kwargs=room, data={"body": "An answer"}),
    "chats:helpful": Rule("post", method="POST", kwargs=message),
    "chats:hide": Rule("schedule", method="POST", kwargs=message),
    "chats:pin": Rule("schedule", method="POST", kwargs=room),
    "chats:ask": Rule("schedule", method="POST", kwargs=room, data={"body": "A bonus question"}),
    "chats:pause": Rule("schedule", method="POST", kwargs=room, data={"paused": "1"}),
    "chats:end": Rule("schedule", method="POST", kwargs=room),
    "chats:publish": Rule("schedule", method="POST", kwargs=ended, data={"where": "thread", "kind": "lesson"}),
}
