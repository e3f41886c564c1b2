"""The board's pages, rendered from ``templates/web/board/`` with HTML autoescape on."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web.safe import finalize
from handlers.engine.texts import TEMPLATES, platform_example

if TYPE_CHECKING:
    from bot.web.board.data import BoardData
    from bot.web.board.routes import Signed

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
}


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "web" / "board"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    env.globals["platform_example"] = platform_example  # "<name>:<id>" from the platform's own
    return env


def render(name: str, **context: Any) -> str:
    return _env().get_template(name).render(**context)


def _page(text: str, status: int) -> web.Response:
    return web.Response(
        text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def refused(reason: str, *, status: int, chats: tuple[str, ...] = ()) -> web.Response:
    """Why the board is not shown (a used or expired link, no session, a role removed);
    ``chats``: where people are named, for the examples of a contact that was refused."""
    return _page(render("refused.html", reason=reason, chats=chats), status)


def sign_in(action: str, token: str) -> web.Response:
    """The page a sign-in link opens: one button that posts the token."""
    return _page(render("sign_in.html", action=action, token=token), 200)


def board(found: BoardData, signed: Signed) -> web.Response:
    chats = signed.board.deps.chat_platforms  # the contact field's examples
    return _page(render("board.html", d=found, who=signed.who, role=signed.role, chats=chats), 200)
