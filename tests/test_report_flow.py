"""/report as an admin would use it: in chat (summary, workbook, chart), by itself on the 1st,
and from the server's shell."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from handlers.jobs import nudges
from tests.conftest import FROZEN
from tests.harness import CHANNEL, ED1, EDITORS, Harness, org_file
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.cli import main_in_process, run_bot
from tests.support.flows import card, press, submit_raw

ADMIN = 9001


@pytest.fixture
async def office(db_url: str, fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Harness]:
    org = org_file(tmp_path, "reports", 'monthly_to_admins = "08:00"')
    harness = Harness(
        db_url=db_url,
        fake=fake,
        now=FROZEN,
        org_config=org,
        editor_chat_id=EDITORS,
        admin_ids=f"telegram:{ADMIN}",
        editor_ids=f"telegram:{ED1}",
        publish_targets=f"telegram:{CHANNEL}",
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_report_in_chat_and_on_the_first(office: Harness, fake: FakeTelegram) -> None:
    await submit_raw(office.member(1201, "Lan"), fake)
    await card(fake)
    press(fake, ED1, "Duyệt")
    await fake.wait_for(CHANNEL, "#moingay1tintot")
    await fake.wait_for(1201, "đã được đăng")
    admin = office.member(ADMIN, "Bí thư")
    await admin.send("/report tuan truoc nua", "Cách dùng")  # a bad period: the usage
    member = office.member(1202, "Minh")
    await member.send("/report thang", "chỉ dành cho quản trị viên")
    mark = fake.mark()
    summary = await admin.send("/report thang", "Báo cáo")
    text = summary.plain or ""
    assert "Gửi 1 · duyệt 1 · đăng 1" in text and "Lan" in text  # tuyên dương
    document = await fake.wait_for(ADMIN, after=mark)
    while document.method != "sendDocument":
        document = await fake.wait_for(ADMIN, after=fake.sent.index(document) + 1)
    photo = await fake.wait_for(ADMIN, after=fake.sent.index(document) + 1)
    assert photo.method == "sendPhoto"
    upload = document.raw["document"]
    if isinstance(upload, str):  # aiogram sends the file as attach://<field>
        upload = document.raw[upload.removeprefix("attach://")]
    assert upload.filename.startswith("bao-cao-thang-11-2026") and upload.filename.endswith(".xlsx")

    office.now = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 08:30 on the 1st, in Vietnam
    assert office.app is not None
    async with office.app.sessions() as session, session.begin():
        assert await nudges.monthly_report(session, deps=office.app.core.deps, now=office.now) == 1
        assert await nudges.monthly_report(session, deps=office.app.core.deps, now=office.now) == 0
    monthly = await fake.wait_for(ADMIN, "Báo cáo tự động hằng tháng")
    assert "tháng 11/2026" in (monthly.plain or "")


def test_report_from_the_shell(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    seeded = run_bot(env, "seed-demo", "--submissions", "400", "--units", "20", "--days", "40")
    assert seeded.returncode == 0, seeded.stderr
    month = date.today().strftime("%Y-%m")
    xlsx, png = tmp_path / "bc.xlsx", tmp_path / "bc.png"
    made = run_bot(
        env, "report", "--period", "thang", "--month", month, "--xlsx", str(xlsx), "--png", str(png)
    )
    assert made.returncode == 0, made.stderr
    assert "Báo cáo tháng" in made.stdout
    book = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert "Theo đơn vị" in book.sheetnames
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    code, _, err = main_in_process(env, "report", "--period", "hôm kia")  # told by main here
    assert code == 2 and "Traceback" not in err and "hôm kia" in err
