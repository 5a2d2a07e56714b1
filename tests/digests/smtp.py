"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

It refuses recipients whose address starts with ``bounce`` (550, permanent)
and, while ``busy`` is set, answers 451 (try later) for those starting with ``busy``.
"""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.peers = []  # the client address of each accepted message: one per SMTP connection
        self.busy = True
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy") and self.busy:
            return "451 4.3.2 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.peers.append(session.peer)
        return "250 Message accepted"

    def received(self):
        with self.lock:
            return list(self.messages)

    def connections(self):
        """How many SMTP connections delivered the messages received so far."""
        with self.lock:
            return len(set(self.peers))

    def to(self, address):
        return [message for rcpts, message in self.received() if address in rcpts]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """Started by ``with`` (or ``start()``); before that its port refuses connections, like a server that is down."""

    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.controller.start()
        self.running = True

    def stop(self):
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False

    @property
    def env(self):
        return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "false"}

    def use_in(self, settings):
        """Point this process's email at the server (pytest-django ``settings`` fixture)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
