"""Property-based tests of the conversation core: random sequences of texts, commands, photos,
presses on current and old buttons, re-delivered updates and restarts. The core never
raises, every reply renders as valid Telegram HTML, the member is always in a valid step,
and nothing a member stored is lost: a restart or a re-delivery changes nothing, and a sent
submission keeps its answers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.runtime.app import App
from bot.serve.compose import build
from bot.settings import Settings
from handlers.engine.states import Step
from handlers.engine.textnorm import has_forbidden
from handlers.engine.texts import render
from handlers.engine.types import Inbound, MediaRef, Reply
from handlers.member.answers import blank
from handlers.wiring import build_core
from storage.models import Member, Submission
from tests.platforms.telegram.fake_telegram import parse_html

FIELDS = ("thoi_gian", "dia_diem", "nhan_vat", "muc_dich", "y_nghia", "link", "cam_nhan")
TEXTS = [
    "Tin tốt", "Câu chuyện đẹp", "Thông tin thô", "Đã có bài viết", "Gửi", "Sửa", "Hủy",
    "Bỏ qua", "Xong", "1", "2", "Đoàn phường An Lạc", "https://tuoitre.vn/bai-viet-1.htm",
    "Sáng 15/11", "<b>Cô & trò</b>", "x" * 1500, " ", "Trang sau",
]  # fmt: skip
COMMANDS = ["start", "gui", "huy", "cuatoi", "chude", "huongdan", "donvi", "toi", "xyz", "duyet"]

action = st.one_of(
    st.tuples(st.just("text"), st.one_of(st.sampled_from(TEXTS), st.text(max_size=60))),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("photo"), st.integers(0, 3)),
    st.tuples(st.just("press"), st.integers(-12, -1)),  # one of the buttons shown last
    st.tuples(st.just("press"), st.integers(0, 40)),  # any button shown so far
    st.tuples(st.just("junk press"), st.text(min_size=1, max_size=20)),
    st.tuples(st.just("again"), st.none()),  # the last update delivered once more
    st.tuples(st.just("restart"), st.none()),  # a new process: a new core, the same database
)

answer = st.tuples(st.just("text"), st.text(min_size=1, max_size=30))
# Registered and half-way into the raw path, so examples start deep in the flow too.
MID_FLOW: list[tuple[str, Any]] = [
    ("command", "start"),
    ("press label", "Đoàn phường An Lạc"),
    ("command", "gui"),
    ("press label", "Tin tốt"),
    ("press label", "Thông tin thô"),
    ("text", "Sáng 15/11"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.Runner, App]]:
    """One database for all examples (each example is a new member): hypothesis runs the
    examples synchronously, so the event loop is ours."""
    path: Path = tmp_path_factory.mktemp("properties") / "tintot.db"
    runner = asyncio.Runner()
    config = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{path}",
        editor_chat_id=-100777,
        editor_ids="telegram:42",
    )
    app = runner.run(build(config))
    yield runner, app
    runner.run(app.close())
    runner.close()


def event_of(user: str, **what: Any) -> Inbound:
    key = f"telegram:p{next(UPDATES)}"
    return Inbound(
        platform="telegram", update_key=key, user_id=user, chat_id=user, display_name="Lan", **what
    )


USERS = itertools.count(10_000)
UPDATES = itertools.count(1)


def check_reply(reply: Reply) -> None:
    assert reply.say.template != "internal_error.j2"
    html = render(reply.say, "html")
    parse_html(html)  # raises on what Telegram would refuse
    assert render(reply.say, "plain").strip() or reply.media or reply.files


async def stored(app: App, user: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """The member's step, draft and sent submissions, as stored."""
    async with app.sessions() as session:
        member = (await session.exec(select(Member).where(Member.platform_user_id == user))).first()
        if member is None:
            return Step.IDLE, {}, []
        subs = (
            await session.exec(select(Submission).where(Submission.member_id == member.id))
        ).all()
    as_dict = [{f: getattr(sub, f) for f in (*FIELDS, "status", "id")} for sub in subs]
    draft = next((d for d in as_dict if d["id"] == member.draft_id), {})
    sent = [d for d in as_dict if d["status"] == "pending"]
    return member.step, draft, sent


async def play(app: App, actions: list[tuple[str, Any]]) -> None:
    user = str(next(USERS))
    core = app.core
    shown: list[str] = []
    labelled: list[tuple[str, str]] = []
    last: Inbound | None = None
    sent_before: dict[int, dict[str, Any]] = {}
    for kind, value in actions:
        before = await stored(app, user)
        event: Inbound | None
        if kind == "restart":
            core, event = build_core(app.sessions, app.core.deps), None
        elif kind == "again":
            event = last
        elif kind == "text":
            event = event_of(user, text=value)
        elif kind == "command":
            event = event_of(user, command=value, text=f"/{value}")
        elif kind == "photo":
            refs = tuple(MediaRef("photo", f"P{user}-{n}", size=1000) for n in range(value + 1))
            event = event_of(user, media=refs)
        elif kind == "press label":
            data = next(d for label, d in reversed(labelled) if value in label)
            event = event_of(user, choice=data, message_id="1")
        elif kind == "press":
            if not shown:
                continue
            event = event_of(user, choice=shown[value % len(shown)], message_id="1")
        else:
            event = event_of(user, choice=value, message_id="1")
        if event is None:
            assert await stored(app, user) == before
            continue
        replies = await core.handle(event)
        for reply in replies:
            check_reply(reply)
            shown.extend(choice.data for row in reply.choices for choice in row)
            labelled.extend((choice.label, choice.data) for row in reply.choices for choice in row)
        step, draft, sent = await stored(app, user)
        assert step in set(Step)
        if kind == "again":
            # Handled once: the re-delivery stores nothing new.
            assert (step, draft) == before[:2]
        last = event
        for sub in sent:  # a sent submission keeps its answers, whatever comes after
            assert sent_before.setdefault(sub["id"], sub) == sub
        for earlier in sent_before.values():
            assert earlier["id"] in {sub["id"] for sub in sent} or earlier["status"] != "pending"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from([[], MID_FLOW]),
    actions=st.lists(st.one_of(action, answer), min_size=1, max_size=40),
)
def test_random_conversations_keep_the_core_sound(
    world: tuple[asyncio.Runner, App],
    start: list[tuple[str, Any]],
    actions: list[tuple[str, Any]],
) -> None:
    runner, app = world
    runner.run(play(app, [*start, *actions]))


def accepted(text: str) -> bool:
    return not blank(text) and not has_forbidden(text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.lists(st.text(min_size=1, max_size=200).filter(accepted), min_size=5, max_size=5))
def test_any_answers_reach_the_submission_as_typed(
    world: tuple[asyncio.Runner, App], answers: list[str]
) -> None:
    """Whatever the five answers say (HTML, emoji, a word that names a button), the sent
    submission holds them, in order (blank answers and control characters are refused, see
    tests/test_hostile_files.py)."""
    runner, app = world
    runner.run(_answers(app, answers))


async def _answers(app: App, answers: list[str]) -> None:
    user = str(next(USERS))

    async def send(**what: Any) -> list[Reply]:
        replies = await app.core.handle(event_of(user, **what))
        for reply in replies:
            check_reply(reply)
        return replies

    def button(replies: list[Reply], label: str) -> str:
        return next(c.data for r in replies for row in r.choices for c in row if label in c.label)

    await send(command="start", text="/start")
    replies = await send(command="gui", text="/gui")
    replies = await send(choice=button(replies, "Đoàn phường An Lạc"), message_id="1")
    replies = await send(choice=button(replies, "Tin tốt"), message_id="1")
    await send(choice=button(replies, "Thông tin thô"), message_id="1")
    for answer in answers:
        await send(text=answer)
    step, draft, _ = await stored(app, user)
    assert step == Step.MEDIA
    assert [draft[f] for f in FIELDS[:5]] == [a.strip() for a in answers]
