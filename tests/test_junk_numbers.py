"""Numbers that are not numbers (``²``, Arabic-Indic digits) or too big for the database, typed
or pressed, get a usage answer or the stale-button alert: never the internal-error answer, and
never act on some other item."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.platforms.console.service import event_from_line
from handlers.engine.numbers import number
from tests.harness import ED1, EDITORS, ZALO_EDITOR, Harness
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.platforms.zalo.fake_zalo import FakeZalo
from tests.support.cli import main_in_process, run_bot
from tests.support.flows import ZaloChat, submit_on_zalo

TOO_BIG = "99999999999999999999999"
INTERNAL = "trục trặc"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("27", 27), ("#27", 27), (" 0 ", 0), (str(2**31 - 1), 2**31 - 1), (str(2**31), None),
     (str(2**63), None),
     (TOO_BIG, None), ("²", None), ("1²", None), ("١٢", None), ("٣", None), ("-1", None),
     ("+1", None), ("1_000", None), ("", None), ("#", None), ("２７", None)],
)  # fmt: skip
def test_a_number_is_ascii_digits_within_the_id_columns(typed: str, expected: int | None) -> None:
    assert number(typed) == expected


async def test_a_member_withdrawing_junk_numbers_gets_the_usage(bot: Harness) -> None:
    lan = bot.member(1401)
    await lan.register()
    for junk in [TOO_BIG, "²", "١"]:
        answer = await lan.send(f"/rut {junk}")
        assert INTERNAL not in (answer.plain or "") and "/rut 27" in (answer.plain or "")


async def test_editors_junk_numbers_act_on_nothing(
    both: Harness, fake: FakeTelegram, zalo: FakeZalo
) -> None:
    editor = ZaloChat(zalo, ZALO_EDITOR, "Biên tập Zalo")
    await editor.send("/start", "Chọn đơn vị")
    await submit_on_zalo(ZaloChat(zalo, "zu-1402"))
    card = await fake.wait_for(EDITORS, "Chờ duyệt")
    await zalo.wait_for(ZALO_EDITOR, "Tin chờ duyệt #1")
    # "١" is 1 to int(): without care it would approve #1.
    # 3000000000 fits BIGINT but not the INTEGER ids: PostgreSQL would refuse the query.
    junk = ["/duyet ١", f"/duyet {TOO_BIG}", "/duyet ²", f"/gop {TOO_BIG} 1", "/xem ²"]
    for command in [*junk, "/xem 3000000000", "/giu 3000000000"]:
        answer = await editor.send(command)
        assert INTERNAL not in (answer.text or "") and "Cách dùng" in (answer.text or ""), command
    # Forged buttons past the id columns on the Telegram card: a stale button.
    for data in [
        f"rv:ok:{TOO_BIG}",
        "rv:ok:²",
        "rv:nr:1:²",
        f"rv:nr:1:{TOO_BIG}",
        "rv:ok:3000000000",
    ]:
        fake.push_callback(ED1, card.message_id, data, chat_id=EDITORS)
        await fake.idle()
        alert = fake.callback_answers[-1]
        assert INTERNAL not in str(alert.get("text")), data
    [sub] = await both.submissions()
    assert sub.status == "pending"


JUNK_CLI = [
    ("report", "--month", "abc"),
    ("report", "--month", "2026-13"),
    ("report", "--month", "2026-²"),
    ("forget", "--member", f"#{TOO_BIG}"),
    ("forget", "--member", "²"),
]


def test_cli_junk_numbers_are_usage_errors(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    for args in JUNK_CLI:
        code, _, err = main_in_process(env, *args)
        assert code == 2 and err.strip() and "Traceback" not in err, args
    result = run_bot(env, *JUNK_CLI[0])  # and as cron runs it
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "không phải một tháng" in result.stderr


def test_the_console_reads_junk_numbers_as_text() -> None:
    for line, count in [
        ("/album ²", 3),
        ("/album ١٢", 3),
        (f"/album {TOO_BIG}", 3),
        ("/album 100000000", 50),
    ]:
        album = event_from_line(line)
        assert album is not None and len(album.media) == count, line
