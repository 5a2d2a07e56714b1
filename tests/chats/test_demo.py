from io import StringIO

import pytest
from django.core.management import call_command

from chats.models import Chat
from chats.selectors import archive


@pytest.mark.django_db
def test_the_demo_has_an_archive_and_a_chat_to_come_and_running_twice_adds_nothing():
    call_command("seed_demo", stdout=StringIO())
    counts = (Chat.objects.count(), sum(c.messages.count() for c in Chat.objects.all()))
    call_command("seed_demo", stdout=StringIO())
    assert (Chat.objects.count(), sum(c.messages.count() for c in Chat.objects.all())) == counts
    held, coming = Chat.objects.order_by("activity__start")
    assert held.state() == Chat.State.CLOSED
    assert [group.answer_count for group in archive(chat=held)] == [2, 1, 1]
    assert coming.state() == Chat.State.UPCOMING
    assert coming.prompts.count() == 3
