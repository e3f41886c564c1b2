"""``python -m bot seed-demo``: a database full of plausible campaign data, for demos, reports
and load tests. Rows are plain dicts inserted with Core executemany in batches (ORM objects one
by one would take hours for a million items); ids are assigned here, after the current maximum,
so a second run appends and each post row can name its item."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.platforms.protocol import Served
from bot.platforms.registry import PLATFORMS
from handlers import fields
from handlers.org import OrgConfig
from storage.models import Media, Member, Outbox, Status, Submission, Unit

BATCH = 5_000


def _pool(text: str) -> list[str]:
    return text.split("|")


# Most items end up published; a few are taken back by their members.
WEIGHTS = {
    Status.DRAFT: 3,
    Status.PENDING: 6,
    Status.NEEDS_INFO: 5,
    Status.APPROVED: 5,
    Status.PUBLISHED: 68,
    Status.REJECTED: 9,
    Status.CANCELLED: 4,
    Status.WITHDRAWN: 1,
}
STATUSES = list(WEIGHTS)
STATUS_CUM = list(accumulate(WEIGHTS.values()))
DECIDED = {Status.PUBLISHED, Status.APPROVED, Status.REJECTED, Status.NEEDS_INFO}
FIELDS = [field.name for field in fields.answers()]
SURNAMES = _pool("Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý")
MIDDLES = _pool("Văn|Thị|Minh|Ngọc|Thanh|Hoàng|Quốc|Thu|Gia|Bảo|Đức|Mỹ")
GIVEN = _pool(
    "An|Bình|Châu|Dũng|Hà|Hạnh|Hiếu|Hùng|Khánh|Lan|Linh|Long|Mai|Nam|Nhung|Phúc|Quân|Tâm|Thảo|"
    "Trang|Tuấn|Vy|Yến"
)
# The demo's people, group and channel are on the platform with buttons, as a real union's.
HOME = next(p.name for p in PLATFORMS if isinstance(p, Served) and p.buttons)
EDITORS = [(f"{HOME}:7001", "Trần Thu Hà"), (f"{HOME}:7002", "Lê Minh Quân")]
PLACES = _pool(
    "Nhà văn hóa khu phố|Sân trường THCS|Trạm y tế phường|Công viên khu dân cư|Chợ dân sinh|"
    "Hội trường UBND phường|Điểm trường tiểu học|Mái ấm tình thương"
)
DEEDS = _pool(
    "tặng 50 suất học bổng cho học sinh vượt khó|hiến máu tình nguyện|sửa chữa nhà cho cụ bà "
    "neo đơn|dọn vệ sinh, trồng cây xanh tuyến hẻm|hướng dẫn người dân làm thủ tục hành chính "
    "trực tuyến|trả lại chiếc ví nhặt được cho người đánh rơi|mở lớp tiếng Anh miễn phí cho "
    "thiếu nhi|trao quà cho gia đình chính sách"
)
PURPOSES = _pool(
    "Chăm lo cho người có hoàn cảnh khó khăn trên địa bàn|Lan tỏa tinh thần tình nguyện trong "
    "đoàn viên, thanh niên|Góp phần xây dựng khu phố xanh, sạch, đẹp|Hỗ trợ người dân tiếp cận "
    "dịch vụ công"
)
MEANINGS = _pool(
    "Việc làm nhỏ nhưng mang lại niềm vui và sự ấm áp cho bà con|Khẳng định vai trò xung kích "
    "của tuổi trẻ trong đời sống cộng đồng|Tấm gương đẹp để đoàn viên, thanh niên học tập và "
    "noi theo|Gắn kết tình làng nghĩa xóm, lan tỏa điều tốt đẹp trong xã hội"
)
FEELINGS = _pool(
    "Đọc bài viết mà mình thấy rất xúc động và tự hào về tuổi trẻ quê mình.|Một câu chuyện đẹp, "
    "mong được lan tỏa để nhiều bạn trẻ cùng hưởng ứng.|Mình học được nhiều điều từ sự tận tụy "
    "và lòng tốt của các anh chị."
)
SLUGS = _pool("tuoi-tre-chung-tay-vi-cong-dong|nghia-cu-dep-cua-doan-vien|lan-toa-tinh-nguyen")


async def _max(conn: AsyncConnection, column: Any) -> int:
    return int((await conn.execute(select(func.max(column)))).scalar() or 0)


def _place(name: str) -> str:
    """Where things happen: "Chi đoàn Khu phố 3, phường An Lạc" -> "Khu phố 3, phường An Lạc"."""
    for prefix in ("Chi đoàn ", "Đoàn ", "cơ sở "):
        name = name.removeprefix(prefix)
    return name


async def _units(conn: AsyncConnection, org: OrgConfig, total: int) -> tuple[dict[str, str], int]:
    """The org file's units, then generated chi đoàn under its second level (a third level).
    Generated codes follow a counter, not the seed, so every run names the same units."""
    existing = set((await conn.execute(select(col(Unit.code)))).scalars())
    roots = {u.code for u in org.units if u.parent is None}
    second = [u for u in org.units if u.parent in roots] or list(org.units)
    pool = [u for u in second if u.name.startswith("Đoàn ")] or second
    wanted = [(u.code, u.name, u.parent) for u in org.units]
    codes, counters = {u.code for u in org.units}, [0] * len(pool)
    for index in range(max(0, total - len(wanted))):
        slot, code = index % len(pool), ""
        while not code or code in codes:
            counters[slot] += 1
            code = f"{pool[slot].code[:24]}-kp{counters[slot]}"
        rest = _place(pool[slot].name)
        place = "Khu phố " if rest.startswith(("phường", "xã")) else ""
        wanted.append((code, f"Chi đoàn {place}{counters[slot]}, {rest}", pool[slot].code))
        codes.add(code)
    position = await _max(conn, Unit.position) + 1
    rows = [
        {"code": c, "name": n, "parent_code": p, "position": position + i, "active": True}
        for i, (c, n, p) in enumerate(w for w in wanted if w[0] not in existing)
    ]
    if rows:
        await conn.execute(insert(Unit), rows)
    return {code: name for code, name, _ in wanted}, len(rows)


@dataclass
class _Plan:
    """What every item draws from, worked out once."""

    org: OrgConfig
    tz: ZoneInfo
    targets: list[tuple[str, str]]
    units: dict[str, str]  # code -> name
    people: list[tuple[int, str, str]]  # member id, unit code, name
    activity: list[float]  # cumulative weights of ``people``: a few members send most items
    quiet: set[tuple[str, int]]  # (unit, week) with nothing sent
    starts: list[datetime]  # each day's 00:00 local, in UTC
    day_cum: list[float]  # cumulative weights of the days: fewer items at weekends
    themes: list[str]
    limit: datetime  # the end of the range: nothing is decided or published after it


def _item(rng: random.Random, plan: _Plan, sid: int) -> tuple[dict[str, Any], list[Any], list[Any]]:
    index = rng.choices(range(len(plan.starts)), cum_weights=plan.day_cum)[0]
    for _ in range(5):
        pid, unit, who = rng.choices(plan.people, cum_weights=plan.activity)[0]
        if (unit, index // 7) not in plan.quiet:
            break
    sent = plan.starts[index] + timedelta(seconds=rng.randint(6 * 3600, 23 * 3600))
    decided = sent + timedelta(minutes=rng.randint(20, 30 * 60))
    published = decided + timedelta(minutes=rng.randint(1, 12 * 60))
    status = rng.choices(STATUSES, cum_weights=STATUS_CUM)[0]
    if status in DECIDED and decided >= plan.limit:
        status = Status.PENDING  # not decided yet when the range ends
    elif status == Status.PUBLISHED and published >= plan.limit:
        status = Status.APPROVED
    done, raw = status in DECIDED, rng.random() < 0.6
    place = _place(plan.units.get(unit, unit))
    editor, editor_name = rng.choice(EDITORS) if done else (None, None)
    row: dict[str, Any] = dict.fromkeys(FIELDS)
    if raw:
        event = sent.astimezone(plan.tz) - timedelta(days=rng.randint(0, 3))
        row.update(
            thoi_gian=f"{rng.choice([7, 8, 14, 19])}h00 ngày {event:%d/%m/%Y}",
            dia_diem=f"{rng.choice(PLACES)} {rng.randint(1, 12)}, {place}",
            nhan_vat=f"Đoàn viên {who} cùng các bạn trong chi đoàn {rng.choice(DEEDS)}",
            muc_dich=rng.choice(PURPOSES),
            y_nghia=rng.choice(MEANINGS),
        )
    else:
        domain = rng.choice(plan.org.trusted_domains or ["tuoitre.vn"])
        row.update(link=f"https://{domain}/{rng.choice(SLUGS)}-{sid}.html")
        row.update(cam_nhan=rng.choice(FEELINGS))
    asked, edited = status == Status.NEEDS_INFO, status == Status.PUBLISHED and rng.random() < 0.1
    row.update(
        id=sid, member_id=pid, unit_code=unit, theme_key=plan.themes[index], status=status.value,
        kind="tin_tot" if rng.random() < 0.75 else "cau_chuyen_dep",
        path="raw" if raw else "article", link_trusted=None if raw else True,
        created_at=sent - timedelta(minutes=rng.randint(2, 30)), updated_at=sent,
        submitted_at=None if status in (Status.DRAFT, Status.CANCELLED) else sent,
        decided_by=editor, decided_by_name=editor_name, decided_at=decided if done else None,
        reject_reason=rng.choice(plan.org.review.reject_reasons)
        if status == Status.REJECTED else None,
        info_fields=[fields.DIA_DIEM.name, "media"] if asked else None,
        info_note="Bạn bổ sung địa điểm cụ thể và ảnh hoạt động nhé." if asked else None,
        post_text=f"{who} ({place}): {rng.choice(MEANINGS).lower()}." if edited else None,
        card_version=1 if done or status == Status.PENDING else 0,
        published_at=published if status == Status.PUBLISHED else None,
    )  # fmt: skip
    media = [
        {"submission_id": sid, "kind": "photo", "platform": HOME, "created_at": sent,
         "ref": f"AgACAgUAAxkBAAIdemo{sid:x}n{n}", "source_key": f"demo:{sid}:{n}",
         "media_group_id": f"demo{sid}", "size": rng.randint(80, 900) * 1024}
        for n in range(rng.choice([0, 1, 1, 2, 3, 4] if raw else [0, 0, 0, 1]))
    ]  # fmt: skip
    posts: list[dict[str, Any]] = [
        {"key": f"post:{sid}:{platform}:{chat}", "kind": "post", "platform": platform,
         "chat_id": chat, "submission_id": sid, "template": None, "context": {},
         "status": "sent", "attempts": 1, "not_before": decided, "lease_until": None,
         "message_ids": [str(sid)], "error": None, "created_at": decided,
         "updated_at": published, "sent_at": published,
         "link": f"https://t.me/c/{chat[4:]}/{sid}" if chat.startswith("-100") else None}
        for platform, chat in (plan.targets if status == Status.PUBLISHED else [])
    ]  # fmt: skip
    return row, media, posts


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession],
    *,
    org: OrgConfig,
    tz: ZoneInfo,
    submissions: int,
    units: int,
    days: int,
    end: date,
    now: datetime,
    seed: int = 1,
    targets: list[tuple[str, str]] | None = None,
) -> dict[str, int]:
    """Add ``submissions`` items over the ``days`` days ending at ``end``, from about one member
    per 20 items, in the org file's units plus generated ones up to ``units``; the counts added."""
    rng = random.Random(seed)
    counts = dict.fromkeys(["units", "members", "submissions", "media", "posts"], 0)
    async with sessions.begin() as session:
        conn = await session.connection()
        unit_names, counts["units"] = await _units(conn, org, units)
        first_member = await _max(conn, Member.id) + 1
        first_sub = await _max(conn, Submission.id) + 1
    codes = list(unit_names)
    weights = [rng.uniform(0.2, 3.0) for _ in codes]
    people = [
        (first_member + i, rng.choices(codes, weights)[0],
         f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}")
        for i in range(max(1, submissions // 20))
    ]  # fmt: skip
    day_list = [end - timedelta(days=days - 1 - i) for i in range(days)]
    plan = _Plan(
        org=org,
        tz=tz,
        targets=targets if targets is not None else [(HOME, "-1001000000001")],
        units=unit_names,
        people=people,
        activity=list(accumulate(rng.paretovariate(1.5) for _ in people)),
        quiet={(u, w) for u in codes for w in range(days // 7 + 1) if rng.random() < 0.15},
        starts=[datetime.combine(d, time(), tz).astimezone(UTC) for d in day_list],
        day_cum=list(accumulate({5: 0.7, 6: 0.4}.get(d.weekday(), 1.0) for d in day_list)),
        themes=[org.theme_on(d).key for d in day_list],
        limit=datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC),
    )
    members = [
        {"id": pid, "platform": HOME, "platform_user_id": str(9_000_000_000 + pid),
         "chat_id": str(9_000_000_000 + pid), "display_name": name, "unit_code": unit,
         "step": "idle", "step_data": {}, "created_at": now, "updated_at": now}
        for pid, unit, name in people
    ]  # fmt: skip
    for start in range(0, len(members), BATCH):
        async with sessions.begin() as session:
            counts["members"] += await _insert(session, Member, members[start : start + BATCH])
    for first in range(first_sub, first_sub + submissions, BATCH):
        items = [_item(rng, plan, sid) for sid in range(first, first_sub + submissions)[:BATCH]]
        async with sessions.begin() as session:  # an item with its media and posts, or none
            counts["submissions"] += await _insert(session, Submission, [i[0] for i in items])
            counts["media"] += await _insert(session, Media, [m for i in items for m in i[1]])
            counts["posts"] += await _insert(session, Outbox, [p for i in items for p in i[2]])
    async with sessions.begin() as session:
        conn = await session.connection()
        if conn.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("member", "submission"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                await conn.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM {table}"))
    return counts


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> int:
    if rows:  # one executemany
        await (await session.connection()).execute(insert(model), rows)
    return len(rows)
