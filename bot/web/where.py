"""Where the web server listens, from the settings: the server binds it and the archive's
absolute addresses fall back to it (never to the Host header a visitor sends)."""

from __future__ import annotations

from bot.settings import Settings


def address(settings: Settings, *, local: bool = False) -> tuple[str, int]:
    """Where to listen: the offline demo only on this machine."""
    host = "127.0.0.1" if local else settings.web_host or settings.webhook_host
    port = settings.webhook_port if settings.web_port is None else settings.web_port
    return host, port
