"""Every message a person reads, as they read it on Telegram (HTML as sent), on Zalo and in the
console (plain text, choices numbered): one readable file per template in
tests/__snapshots__/test_snapshots/, so a reviewer sees every message at once and any change
to one shows as a diff. Update with ``pytest tests/test_snapshots.py --snapshot-update`` and
read the diff before committing it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation
from syrupy.types import SnapshotIndex

from bot.platforms.console.service import show
from bot.platforms.plain import plain_reply
from bot.platforms.textsplit import split, visible_html_len
from bot.runtime.app import App
from bot.serve.compose import build
from handlers.desk import cards
from handlers.engine.texts import TEMPLATES, environment, label, render
from handlers.engine.types import Choice, Reply, Say
from storage import outbox
from storage.models import Audit, Media, Member, OutboxKind, OutboxStatus, Submission
from tests.harness import make_settings
from tests.platforms.telegram.fake_telegram import FakeTelegram
from tests.support.messages import AT, EMAIL, LABELS, LONG, NAME, PLAIN_ONLY, USER, Case, cases

# The files are named after the template alone, whichever test and backend render it.
pytestmark = pytest.mark.filterwarnings("ignore:Can not relate snapshot:UserWarning")
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
# templates/web/ holds the archive's HTML pages, not chat messages: the browser tests and their
# screenshots cover them (tests/test_archive_browser.py).
TEMPLATE_NAMES = sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.j2") if p.parent.name != "web"
)
STATIC = cases()
FROM_DATABASE = [
    "card.j2",
    "card_personal.j2",
    "card_sender.j2",
    "platforms/telegram/card_sender.j2",
    "preview.j2",
    "post.j2",
    "review/card.j2",
    "review/card_merge.j2",
    "review/post_preview.j2",
    "review/post_preview_text.j2",
]


def snapshot_id(template: str) -> str:
    return template.removesuffix(".j2").replace("/", ".")


class Readable(SingleFileSnapshotExtension):
    """One plain UTF-8 text file per template, named after it."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: SnapshotIndex = 0) -> str:
        return str(index)  # the template's id, whichever test (and backend) renders it


@pytest.fixture
def snapshot_text(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(Readable)


def telegram(reply: Reply) -> str:
    """What the Telegram adapter sends: an album first, then the HTML in parts of 4096."""
    lines = [f"[ảnh/video: {m.ref}]" for m in reply.media]
    parts = split(render(reply.say, "html"), 4096, visible_html_len)
    lines.append("\n┈┈┈ (tin nhắn tiếp theo) ┈┈┈\n".join(parts))
    lines += [" ".join(f"[{c.label}]" for c in row) for row in reply.choices]
    return "\n".join(lines)


def zalo(reply: Reply) -> str:
    """What the Zalo adapter sends: photos by URL, then the plain text in parts of 2000."""
    lines = [f"[ảnh: {m.ref}]" for m in reply.media if m.ref.startswith("http")]
    lines.append("\n┈┈┈ (tin nhắn tiếp theo) ┈┈┈\n".join(split(plain_reply(reply), 2000)))
    return "\n".join(lines)


def page(cases: list[Case]) -> str:
    blocks = []
    for case in cases:
        blocks.append(
            f"══════ {case.title} ══════\n"
            f"─── Telegram (HTML) ───\n{telegram(case.reply)}\n"
            f"─── Zalo ───\n{zalo(case.reply)}\n"
            f"─── Console ───\n{show(case.reply)}\n"
        )
    return "\n".join(blocks)


def names_page(template: str) -> str:
    """A module of names (labels, headings, macros) as name = value, one a line."""
    module = environment("plain").get_template(template).module
    lines = []
    for name in sorted(n for n in dir(module) if not n.startswith("_")):
        value = getattr(module, name)
        if isinstance(value, str):
            lines.append(f"{name} = {label(name, template)}")
        elif isinstance(value, list):
            lines += [f"{name}[{n}] = {item}" for n, item in enumerate(value)]
        elif name == "kind_name":
            lines += [f"kind_name({k!r}) = {value(k)}" for k in ("tin_tot", "cau_chuyen_dep")]
        elif name == "status_name":
            for status in (
                "draft",
                "pending",
                "approved",
                "published",
                "rejected",
                "needs_info",
                "withdrawn",
                "merged",
                "cancelled",
            ):
                lines.append(f"status_name({status!r}) = {value(status)}")
        elif name == "why":
            lines += [f"why({r!r}) = {value(r)}" for r in ("link", "details", "text", None)]
        elif name == "credit":
            lines.append(f"credit(…) = {value([(NAME, 'Đoàn An Lạc'), ('', 'Chi hội 2')])}")
    return "\n".join(lines) + "\n"


def test_every_template_has_a_snapshot() -> None:
    """A new message cannot skip review: each template is rendered here and has its file."""
    covered = set(STATIC) | set(PLAIN_ONLY) | set(LABELS) | set(FROM_DATABASE)
    assert sorted(set(TEMPLATE_NAMES) - covered) == [], "add its situations to the snapshots"
    files = {p.name for p in SNAPSHOTS.glob("*.txt")}
    expected = {f"{snapshot_id(t)}.txt" for t in TEMPLATE_NAMES}
    assert sorted(expected - files) == [], "run pytest --snapshot-update and read the new file"
    assert sorted(files - expected) == [], "a snapshot of a template that is gone"


@pytest.mark.parametrize("template", sorted(STATIC), ids=snapshot_id)
def test_member_and_editor_messages(template: str, snapshot_text: SnapshotAssertion) -> None:
    assert page(STATIC[template]) == snapshot_text(name=snapshot_id(template))


@pytest.mark.parametrize("template", sorted(PLAIN_ONLY), ids=snapshot_id)
def test_terminal_lines(template: str, snapshot_text: SnapshotAssertion) -> None:
    text = "\n".join(f"{render(say, 'plain')}\n" for say in PLAIN_ONLY[template])
    assert text == snapshot_text(name=snapshot_id(template))


@pytest.mark.parametrize("template", LABELS, ids=snapshot_id)
def test_labels(template: str, snapshot_text: SnapshotAssertion) -> None:
    assert names_page(template) == snapshot_text(name=snapshot_id(template))


# --- the card, the preview and the post, composed from the database by the real code --------


@pytest.fixture
async def app(db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    settings = make_settings(
        db_url, fake, editor_chat_id=-100777, publish_targets="telegram:-100555"
    )
    application = await build(settings, clock=lambda: AT)
    yield application
    await application.close()


RAW = {
    "thoi_gian": "Sáng Chủ nhật 15/11/2026 🌅, từ 7h30 & kéo dài đến trưa",
    "dia_diem": "Nhà văn hóa khu phố 3 <b>An Lạc</b>, số 10 đường số 7",
    "nhan_vat": USER,
    "muc_dich": f"Dạy chữ miễn phí cho 20 em; liên hệ {EMAIL}",
    "y_nghia": "Lan tỏa tinh thần tương thân tương ái 💚 <script>alert('x')</script>",
}


async def stories(app: App) -> dict[str, Submission]:
    """A member's stories in every state an editor meets, with photos and personal data."""
    theme = app.core.deps.org.theme_on(AT.date()).key
    found: dict[str, Submission] = {}
    async with app.sessions() as session, session.begin():
        lan = Member(
            platform="telegram",
            platform_user_id="1501",
            chat_id="1501",
            display_name=NAME,
            username="lan_dv",
            unit_code="p-anlac",
        )
        minh = Member(
            platform="zalo",
            platform_user_id="zu-1",
            chat_id="zu-1",
            display_name="Minh <Zalo>",
            unit_code="p-anlac",
        )
        session.add_all([lan, minh])
        await session.flush()
        decided = {"decided_by_name": "Biên tập <Hà>", "decided_at": AT + timedelta(hours=3)}
        rows: dict[str, dict[str, Any]] = {
            "pending": {"status": "pending", "consent": "yes", **RAW},
            "article": {
                "status": "pending",
                "kind": "cau_chuyen_dep",
                "path": "article",
                "link": "https://evil.example/bai?a=1&b=<2>",
                "link_trusted": False,
                "cam_nhan": LONG,
                "duplicate_of": 1,
                "duplicate_rule": "link",
            },
            "approved": {
                "status": "approved",
                "consent": "no_people",
                "keep_personal": True,
                "post_text": f"Bài do ban biên tập viết: {USER}",
                **RAW,
                **decided,
            },
            "published": {"status": "published", "consent": "not_asked", **RAW, **decided},
            "rejected": {"status": "rejected", "reject_reason": USER, **RAW, **decided},
            "needs_info": {
                "status": "needs_info",
                "info_fields": ["dia_diem", "media"],
                "info_note": USER,
                "card_version": 1,
                **RAW,
                **decided,
            },
            "merged": {
                "status": "merged",
                "merged_into": 1,
                "member_id": minh.id,
                **RAW,
                **decided,
            },
            "withdrawn": {"status": "withdrawn", **RAW},
            "draft": {"status": "draft", "thoi_gian": RAW["thoi_gian"], "consent": None},
        }
        for name, values in rows.items():
            sub = Submission.model_validate(
                {
                    "member_id": lan.id,
                    "kind": "tin_tot",
                    "path": "raw",
                    "unit_code": "p-anlac",
                    "theme_key": theme,
                    "submitted_at": AT,
                }
                | values
            )
            session.add(sub)
            await session.flush()
            found[name] = sub
        for name, count in [("pending", 2), ("published", 1), ("draft", 3)]:
            for n in range(count):
                session.add(
                    Media(
                        submission_id=found[name].id or 0,
                        kind="photo",
                        ref=f"AgAC-{name}-{n}",
                        platform="telegram",
                        source_key=f"{name}-{n}",
                    )
                )
        session.add(
            Audit(
                submission_id=found["approved"].id,
                actor="telegram:9002",
                actor_name="Biên tập <Hà>",
                action="keep_personal",
            )
        )
        for name, status in [("approved", OutboxStatus.WAITING), ("published", None)]:
            await outbox.enqueue(
                session,
                key=f"post:{name}",
                kind=OutboxKind.POST,
                platform="telegram",
                chat_id="-100555",
                submission_id=found[name].id,
            )
            [post] = await outbox.of_submission(
                session, submission_id=found[name].id or 0, kind=OutboxKind.POST
            )
            if status is None:
                await outbox.give_up(
                    session,
                    item=post,
                    status=OutboxStatus.NEEDS_CHECK,
                    error="Timeout <30s> & no answer",
                )
            else:
                post.status = status
                session.add(post)
    return found


async def test_cards_previews_and_posts(app: App, snapshot_text: SnapshotAssertion) -> None:
    deps = app.core.deps
    subs = await stories(app)
    pages: dict[str, list[Case]] = {name: [] for name in FROM_DATABASE}
    async with app.sessions() as session:
        for name, sub in subs.items():
            card = await cards.card_reply(session, sub, deps)
            pages["review/card.j2"].append(Case(f"thẻ: {name}", card))
        for name in ("pending", "article", "draft"):
            context = await cards.card_context(session, subs[name], deps)
            pages["card.j2"].append(Case(name, Reply(Say("card.j2", context))))
            refs = cards.showable(context["media_rows"], "telegram")
            choices = ((Choice("📨 Gửi", "x:1"),), (Choice("✏️ Sửa", "x:2"), Choice("✖️ Hủy", "x:3")))
            preview = Reply(Say("preview.j2", context), choices, refs)
            pages["preview.j2"].append(Case(f"xem trước: {name}", preview))
        for template in ("card_sender.j2", "platforms/telegram/card_sender.j2"):
            context = await cards.card_context(session, subs["pending"], deps)
            pages[template].append(Case("người gửi", Reply(Say(template, context))))
        for name in ("pending", "approved"):
            context = await cards.card_context(session, subs[name], deps)
            pages["card_personal.j2"].append(Case(name, Reply(Say("card_personal.j2", context))))
        for name in ("article", "pending"):
            context = await cards.card_context(session, subs[name], deps)
            pages["review/card_merge.j2"].append(
                Case(name, Reply(Say("review/card_merge.j2", context)))
            )
        for name in ("pending", "article", "approved"):
            post = await cards.post_reply(session, subs[name], deps, "telegram")
            pages["post.j2"].append(Case(f"bài đăng: {name}", post))
        edited = await cards.post_say(session, subs["pending"], deps, text=f"{USER}\n\n{LONG}")
        for template in ("review/post_preview.j2", "review/post_preview_text.j2"):
            say = Say(template, {**edited.ctx, "sid": subs["pending"].id})
            pages[template].append(Case("bài do biên tập viên viết", Reply(say)))
    for template, found in pages.items():
        assert page(found) == snapshot_text(name=snapshot_id(template))
