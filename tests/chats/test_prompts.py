"""Prompts are posted by the server at their time, exactly once, whoever else is running."""

import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection

from chats import services
from chats.models import Chat, Message
from tests.chats.factories import add_prompt, live_chat, now
from tests.processes import ROOT, child_env


@pytest.mark.django_db
def test_each_prompt_is_posted_at_its_minute_and_only_once(community):
    chat = live_chat(community=community, minutes_ago=0)
    q1, q2 = add_prompt(chat, 1), add_prompt(chat, 2)  # minute 0 and minute 10
    start = chat.opens_at
    assert services.post_due_prompts(now=start - timedelta(seconds=1)) == 0
    assert services.post_due_prompts(now=start) == 1
    assert services.post_due_prompts(now=start + timedelta(minutes=9)) == 0
    assert services.post_due_prompts(now=start + timedelta(minutes=10)) == 1
    assert services.post_due_prompts(now=start + timedelta(minutes=11)) == 0
    q1.refresh_from_db()
    q2.refresh_from_db()
    assert q1.posted_at == start
    assert list(Message.objects.filter(kind="prompt").values_list("prompt__number", "seq")) == [(1, 1), (2, 2)]


@pytest.mark.django_db
def test_a_paused_or_ended_room_gets_no_prompts(community):
    chat = live_chat(community=community, minutes_ago=0)
    add_prompt(chat, 1)
    Chat.objects.filter(pk=chat.pk).update(paused_at=now())
    assert services.post_due_prompts(now=chat.opens_at + timedelta(minutes=1)) == 0
    Chat.objects.filter(pk=chat.pk).update(paused_at=None)
    assert services.post_due_prompts(now=chat.activity.end) == 0, "the chat is over"


@pytest.mark.django_db
def test_prompts_due_together_are_posted_in_their_order(community):
    chat = live_chat(community=community, minutes_ago=30)
    for number in (1, 2, 3):
        add_prompt(chat, number)
    assert services.post_due_prompts() == 3
    numbers = list(Message.objects.filter(chat=chat).order_by("seq").values_list("prompt__number", flat=True))
    assert numbers == [1, 2, 3]


@pytest.mark.django_db
def test_a_scheduler_that_read_the_due_list_late_does_not_post_again(community):
    chat = live_chat(community=community, minutes_ago=0)
    add_prompt(chat, 1)
    moment = chat.opens_at + timedelta(seconds=5)
    first_look = services.due_chat_ids(now=moment)
    second_look = services.due_chat_ids(now=moment)  # another scheduler, same instant
    assert services.post_due_prompts_of(chat_id=first_look[0], now=moment) == 1
    assert services.post_due_prompts_of(chat_id=second_look[0], now=moment) == 0
    assert Message.objects.filter(chat=chat, kind="prompt").count() == 1


@pytest.mark.django_db(transaction=True)
def test_schedulers_running_at_the_same_moment_post_each_prompt_once(community):
    chat = live_chat(community=community, minutes_ago=30)
    for number in (1, 2, 3):
        add_prompt(chat, number)
    barrier = threading.Barrier(4)

    def scheduler():
        try:
            barrier.wait()
            services.post_due_prompts()
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = list(Message.objects.filter(chat=chat, kind="prompt").values_list("prompt__number", flat=True))
    assert sorted(posted) == [1, 2, 3]


@pytest.fixture
def two_schedulers():
    """Two Celery worker processes, each with its own embedded beat: two schedulers, two workers."""
    env = child_env(CHAT_PROMPT_TICK_SECONDS="0.5")
    processes = []
    for n in range(2):
        schedule = f"/tmp/chats-beat-{uuid.uuid4().hex}-{n}"
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "cop_site",
                    "worker",
                    "-B",
                    "-s",
                    schedule,
                    "--pool=solo",
                    "-n",
                    f"chats-{uuid.uuid4().hex[:8]}@%h",
                    "-l",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_real_schedulers_post_each_prompt_at_its_time_exactly_once(community, two_schedulers):
    chat = live_chat(community=community, minutes_ago=0)
    for number, seconds in ((1, 0), (2, 3), (3, 6)):
        add_prompt(chat, number, offset=timedelta(seconds=seconds))
    deadline = time.monotonic() + 45
    while Message.objects.filter(chat=chat, kind="prompt").count() < 3:
        assert time.monotonic() < deadline, "the schedulers did not post the prompts"
        assert all(p.poll() is None for p in two_schedulers), "a scheduler died"
        time.sleep(0.3)
    time.sleep(2)  # a few more ticks of both schedulers
    prompts = list(
        Message.objects.filter(chat=chat, kind="prompt").order_by("seq").values_list("prompt__number", "created_at")
    )
    assert [number for number, _ in prompts] == [1, 2, 3]
    for (number, posted_at), seconds in zip(prompts, (0, 3, 6), strict=True):
        late = posted_at - (chat.opens_at + timedelta(seconds=seconds))
        assert timedelta(0) <= late < timedelta(seconds=15), f"Q{number} was {late} late"
