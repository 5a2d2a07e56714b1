import pytest

from tests.digests.smtp import SMTPServer


@pytest.fixture
def smtp_server():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server, settings):
    """This process sends its email to a real SMTP server on loopback."""
    smtp_server.use_in(settings)
    return smtp_server.handler
