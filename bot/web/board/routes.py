"""/quantri: the office's board, behind one-time sign-in links sent by the bot (/web).

``/quantri/dangnhap?t=…`` shows one button and changes nothing: a mail or chat app's link
preview (GET; HEAD is not routed) must not use the link up. The button POSTs the token from
this very page (same-origin check); only that checks the signature, uses it once and opens a
session: a
random id in an HttpOnly, SameSite=Lax cookie (Secure when the site is https), signed with
WEB_SECRET, its hash kept in the database for ``SESSION_HOURS`` so any worker accepts it. The
person's role is read again on every request, so a removed editor is out at once. Forms post
only from the board's own pages (the Origin header; aiohttp docs, "Web Server Advanced").
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.app import App
from bot.web.board import data, files, pages
from handlers.admin.web_link import SIGN_IN_PATH, sign, unsign
from handlers.engine.context import Deps
from handlers.reports.secretary import board_scope
from storage import web_sessions

COOKIE = "tintot_quantri"
SESSION_HOURS = 12
Page = Callable[[web.Request, "Signed"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Board:
    sessions: async_sessionmaker[AsyncSession]
    deps: Deps
    secret: str
    secure: bool  # the cookie only over https
    netloc: str  # PUBLIC_BASE_URL's host[:port]: where the board's own forms post from


@dataclass(frozen=True)
class Signed:
    who: str
    role: str  # admin | editor | secretary (a unit's contact: their units' subtrees)
    board: Board
    units: tuple[str, ...] = ()  # a secretary's units


def add_board_routes(web_app: web.Application, app: App) -> None:
    """Mount the board (a route group of ``bot/web/server.py``); nothing when WEB_SECRET or
    PUBLIC_BASE_URL is unset: the board is off and /web says so."""
    deps = app.core.deps
    if not deps.web_secret or not deps.web_base:
        return
    base = deps.web_base
    board = Board(
        app.sessions, deps, deps.web_secret, base.startswith("https://"), urlsplit(base).netloc
    )
    web_app.router.add_get(SIGN_IN_PATH, _handler(board, sign_in_page), allow_head=False)
    web_app.router.add_post(SIGN_IN_PATH, _handler(board, sign_in))
    web_app.router.add_get("/quantri", _handler(board, _signed(board, show)))
    web_app.router.add_get("/quantri/tep", _handler(board, _signed(board, files.download)))
    web_app.router.add_post("/quantri/lienhe", _handler(board, _signed(board, files.contact)))
    web_app.router.add_post("/quantri/dangxuat", _handler(board, _signed(board, sign_out)))


def _handler(
    board: Board, inner: Callable[[web.Request, Board], Awaitable[web.StreamResponse]]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        response = await inner(request, board)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # The link's token never leaves the site; "no-referrer" would also make Chromium post
        # the board's forms with "Origin: null", which the same-origin check refuses.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return handle


async def sign_in_page(request: web.Request, board: Board) -> web.StreamResponse:
    """The link opened: a page with the button, while the link can still be used."""
    token = request.query.get("t", "")
    usable = unsign(token, board.secret) is not None
    if usable:
        async with board.sessions() as session:
            usable = await web_sessions.usable(session, token=token, now=board.deps.clock())
    if not usable:
        return pages.refused("link", status=403)
    return pages.sign_in(SIGN_IN_PATH, token)


async def sign_in(request: web.Request, board: Board) -> web.StreamResponse:
    if not _same_origin(request, board):
        return pages.refused("origin", status=403)
    form = await request.post()
    given = form.get("t")
    signed = given if isinstance(given, str) else ""
    token = unsign(signed, board.secret)
    now = board.deps.clock()
    async with board.sessions() as session, session.begin():
        who = None
        if token is not None:
            who = await web_sessions.consume(session, token=signed, now=now)
        if who is None or await board_scope(session, board.deps, who) is None:
            return pages.refused("link", status=403)
        session_id = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=SESSION_HOURS)
        await web_sessions.open_session(
            session, session_id=session_id, who=who, expires_at=expires, now=now
        )
    response = web.Response(status=303, headers={"Location": "/quantri"})
    response.set_cookie(
        COOKIE,
        sign(session_id, board.secret),
        max_age=SESSION_HOURS * 3600,
        path="/quantri",
        httponly=True,
        samesite="Lax",
        secure=board.secure,
    )
    return response


def _signed(
    board: Board, page: Page
) -> Callable[[web.Request, Board], Awaitable[web.StreamResponse]]:
    async def checked(request: web.Request, _: Board) -> web.StreamResponse:
        session_id = unsign(request.cookies.get(COOKIE, ""), board.secret)
        if request.method == "POST" and not _same_origin(request, board):
            return pages.refused("origin", status=403)
        async with board.sessions() as session:
            now = board.deps.clock()
            who = None
            if session_id is not None:
                who = await web_sessions.who_is(session, session_id=session_id, now=now)
            scope = await board_scope(session, board.deps, who) if who else None
        if who is None or scope is None:
            return pages.refused("session" if who is None else "role", status=403)
        return await page(request, Signed(who, scope[0], board, tuple(scope[1])))

    return checked


def _same_origin(request: web.Request, board: Board) -> bool:
    """The form was posted from the board's own pages: the browser's Origin is the site's."""
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc == board.netloc


async def show(request: web.Request, signed: Signed) -> web.StreamResponse:
    async with signed.board.sessions() as session:
        found = await data.load(session, signed.board.deps, roots=signed.units or None)
    return pages.board(found, signed)


async def sign_out(request: web.Request, signed: Signed) -> web.StreamResponse:
    session_id = unsign(request.cookies.get(COOKIE, ""), signed.board.secret) or ""
    async with signed.board.sessions() as session, session.begin():
        await web_sessions.close(session, session_id=session_id)
    response = pages.refused("signed_out", status=200)
    response.del_cookie(COOKIE, path="/quantri")
    return response
