"""Chat benchmark (issue 22): 200 WebSocket clients in one room on one ASGI process.

Seeds its own database (``cop_bench_chat``; override with BENCH_DATABASE_URL) with one
community, 200 members and a live chat, starts one uvicorn process (as in the Procfile,
one worker) on it with the Redis channel layer, connects 200 sockets logged in as the 200
members, then posts ``--rate`` answers a second for ``--duration`` seconds, each from the
next member in turn over their socket. Every client notes when each answer reaches it;
the script prints the delivery latency from post to every client (p50, p90, p99, max) and
the deliveries lost (expected: answers acknowledged x clients).

    make bench-chat
    make bench-chat BENCH_ARGS="--clients 50 --duration 10"   # a quick look
"""

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, ensure_database

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench_chat")
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
BENCH = re.compile(r"bench-answer-(\d+)-")


def seed(clients):
    """One community, ``clients`` members with sessions, and a chat that is live now. Returns (path, cookies)."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from calendar_app.models import Activity
    from chats.models import Chat, Message, Prompt
    from communities.models import Community, Membership

    community, _ = Community.objects.get_or_create(
        slug="chat-bench",
        defaults={
            "name": "Chat bench",
            "visibility": Community.Visibility.MEMBERS,
            "join_policy": Community.JoinPolicy.REQUEST,
        },
    )
    existing = set(User.objects.filter(username__startswith="chatbench").values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=f"chatbench{n}", email=f"chatbench{n}@example.org", display_name=f"Bench Member {n}")
        for n in range(clients)
        if f"chatbench{n}" not in existing
    )
    people = list(User.objects.filter(username__startswith="chatbench").order_by("pk")[:clients])
    Membership.objects.bulk_create(
        [Membership(user=person, community=community) for person in people], ignore_conflicts=True
    )
    Chat.objects.filter(community=community).delete()
    Activity.objects.filter(community=community).delete()
    now = timezone.now()
    activity = Activity.objects.create(
        community=community,
        title="Benchmark chat",
        kind=Activity.Kind.CHAT,
        start=now - timedelta(minutes=1),
        end=now + timedelta(hours=2),
        span_start=now - timedelta(minutes=1),
        span_end=now + timedelta(hours=2),
    )
    chat = Chat.objects.create(activity=activity, community=community, topic="Benchmark", last_seq=1)
    prompt = Prompt.objects.create(
        chat=chat,
        number=1,
        body="What are we measuring?",
        body_html="<p>What are we measuring?</p>",
        offset=timedelta(0),
        posted_at=now,
    )
    Message.objects.create(chat=chat, seq=1, kind="prompt", prompt=prompt, body=prompt.body, body_html=prompt.body_html)
    cookies = []
    for person in people:
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    return f"/ws/c/{community.slug}/calendar/{activity.pk}/chat/", cookies


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port):
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "DB_CONN_MAX_AGE": "60",
        "CHAT_RATE_LIMIT": "60/m",
    }
    env.pop("PYTEST_VERSION", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cop_site.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--ws-per-message-deflate",
            "false",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 40
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("the ASGI server did not start") from None
            time.sleep(0.3)


def cpu_seconds(pid):
    """CPU time (user + system) the process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(url, cookies, rate, duration, origin, server_pid):
    import websockets

    sent, acked, ponged = {}, set(), set()
    received = [{} for _ in cookies]
    errors = []

    async def reader(index, ws):
        async for raw in ws:
            now = time.perf_counter()
            event = json.loads(raw)
            kind = event.get("type")
            if kind == "message":
                match = BENCH.search(event["html"])
                if match:
                    received[index].setdefault(int(match.group(1)), now)
            elif kind == "ack" and event.get("ref"):
                acked.add(int(event["ref"]))
            elif kind == "pong":
                ponged.add(index)
            elif kind == "error":
                errors.append(event.get("message"))

    started = time.perf_counter()
    sockets = await asyncio.gather(
        *(
            websockets.connect(url, additional_headers={"Cookie": c, "Origin": origin}, max_queue=None, open_timeout=60)
            for c in cookies
        )
    )
    connected = time.perf_counter() - started
    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
    for ws in sockets:
        await ws.send(json.dumps({"action": "ping"}))
    # A socket answers its ping once its arrival is recorded; then presence updates settle.
    deadline = time.perf_counter() + 120
    while len(ponged) < len(sockets) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    ready = time.perf_counter() - started
    await asyncio.sleep(2)

    total = int(rate * duration)
    begin = time.perf_counter()
    cpu_before, load_before = cpu_seconds(server_pid), os.getloadavg()[0]
    for n in range(total):
        target = begin + n / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        ws = sockets[n % len(sockets)]
        sent[n] = time.perf_counter()
        await ws.send(
            json.dumps({"action": "post", "ref": str(n), "body": f"bench-answer-{n}- from {n % len(sockets)}"})
        )
    await asyncio.sleep(5)  # stragglers
    server_cpu = (cpu_seconds(server_pid) - cpu_before) / (time.perf_counter() - begin)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    latencies, lost, windows = [], 0, {}
    for got in received:
        for n in acked:
            if n in got:
                latency = (got[n] - sent[n]) * 1000
                latencies.append(latency)
                windows.setdefault(int((sent[n] - begin) // 10), []).append(latency)
            else:
                lost += 1
    return {
        "clients": len(cookies),
        "connect_seconds": round(connected, 2),
        "all_ready_seconds": round(ready, 2),
        "answers_sent": total,
        "answers_acknowledged": len(acked),
        "deliveries_expected": len(acked) * len(cookies),
        "deliveries": len(latencies),
        "lost": lost,
        "refused": len(errors),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p90_ms": round(percentile(latencies, 0.90), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "sent_over_seconds": round(time.perf_counter() - begin - 5, 1),
        "server_cpu_share": round(server_cpu, 2),
        "machine_load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "p99_ms_per_10s": [round(percentile(windows[k], 0.99)) for k in sorted(windows)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="answers a second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of posting")
    args = parser.parse_args()
    ensure_database(DATABASE_URL)
    path, cookies = seed(args.clients)
    port = free_port()
    server = start_server(port)
    try:
        result = asyncio.run(
            measure(
                f"ws://127.0.0.1:{port}{path}",
                cookies,
                args.rate,
                args.duration,
                f"http://127.0.0.1:{port}",
                server.pid,
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "chat-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    ok = result["lost"] == 0 and result["p99_ms"] is not None and result["p99_ms"] < 200
    print("target (p99 < 200 ms, 0 lost):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
