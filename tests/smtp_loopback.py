"""A loopback SMTP server (aiosmtpd) for the email tests: it keeps what it receives."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """The messages the server accepted, as (recipients, raw bytes)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK queued as A1"

    def customers(self) -> list[str]:
        """The client ID each received message carries."""
        return [message_from_bytes(raw, policy=policy.default)["X-Arbook-Customer"] for _, raw in self.messages]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, str]]:
    """A running server on a free loopback port: (its inbox, "127.0.0.1:PORT")."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"127.0.0.1:{port}"
    finally:
        controller.stop()
