"""One table of the story's fields (``handlers/fields.py``): every list of them is derived from
it, and no other module names the fields one by one."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from bot.cli import export, seed_demo
from handlers import fields
from handlers.engine.states import FIELD_STEPS, LIMITS, PATHS, Step
from handlers.fields import FIELDS, Compare
from handlers.merging import duplicates
from handlers.privacy import personal_data
from storage.models import Submission, SubmissionBase

SENT = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
NAMES = frozenset(field.name for field in FIELDS)
# The table itself, the columns, and the migrations that made them.
ALLOWED = {ROOT / "handlers" / "fields.py", ROOT / "storage" / "models.py"}
MIGRATIONS = ROOT / "storage" / "migrations"


def named(source: str) -> dict[str, int]:
    """The fields ``source`` names by hand (a string constant, or ``x.field``): name -> line."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in NAMES:
            found.setdefault(str(node.value), node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in NAMES:
            found.setdefault(node.attr, node.lineno)
    return found


def test_no_other_module_names_the_fields_one_by_one() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for folder in ("bot", "handlers", "storage")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in ALLOWED and MIGRATIONS not in path.parents
        if len(found := named(path.read_text(encoding="utf-8"))) >= 2
    }
    assert offenders == {}


def test_the_check_finds_the_lists_once_kept_by_hand() -> None:
    # As they stood before the table: each is caught; one field alone is not a list.
    kept_by_hand = [
        'FIELDS = ["thoi_gian", "dia_diem", "nhan_vat", "muc_dich", "y_nghia", "link"]',
        'TEXT_FIELDS = ("thoi_gian", "cam_nhan", "post_text")',
        'blank = dict.fromkeys((*FREE_TEXT, "post_text", "link_trusted"))',
        "words = (sub.thoi_gian, sub.dia_diem, sub.nhan_vat) if raw else (sub.cam_nhan,)",
        'class Step(StrEnum):\n    THOI_GIAN = "thoi_gian"\n    DIA_DIEM = "dia_diem"',
        'set_field(name="link")\nset_field(name="link_trusted")',
    ]
    assert all(len(named(source)) >= 2 for source in kept_by_hand)
    assert len(named('info_fields=[fields.DIA_DIEM.name, "media"]\nrow["link"] = url')) == 1


def test_every_column_of_the_story_is_in_the_table() -> None:
    columns = set(SubmissionBase.model_fields) - {"kind", "path"}
    assert columns | {"post_text"} == NAMES
    assert all(name in Submission.model_fields for name in NAMES)


def test_the_member_is_asked_for_each_answer_in_the_table_order_within_its_limit() -> None:
    assert set(PATHS) == {fields.RAW, fields.ARTICLE}
    for path, steps in PATHS.items():
        assert [step.value for step in steps] == [f.name for f in FIELDS if path in f.paths]
    answers = {f.name: f.limit for f in FIELDS if f.paths}
    assert {step.value: limit for step, limit in LIMITS.items()} == answers
    assert {step.value for step in FIELD_STEPS} == set(answers)
    assert all(Step(name) for name in answers)  # each answer has its step
    assert [f.name for f in FIELDS if f.limit is not None] == list(answers)


def test_personal_data_is_looked_for_where_the_table_says() -> None:
    personal = [f.name for f in FIELDS if f.personal]
    assert list(personal_data.TEXT_FIELDS) == personal
    assert fields.LINK.name not in personal  # a URL's digits and "@" are its own
    raw = Submission(kind="tin_tot", path="raw", member_id=1, post_text="0912 345 678")
    for name in personal:
        setattr(raw, name, f"Gọi 0912 345 67{len(name) % 10}")
    found = [finding.field for finding in personal_data.found_in(raw)]
    assert found == [name for name in personal if name in fields.personal_on("raw")]
    assert found[-1] == fields.POST_TEXT.name and fields.CAM_NHAN.name not in found


def test_erasure_export_and_demo_data_take_their_columns_from_the_table() -> None:
    assert set(fields.erased()) == NAMES  # nothing a member wrote survives /xoadulieu
    assert [f.name for f in FIELDS if f.export] == export.FIELDS
    assert [c for c in export.COLUMNS if c in NAMES] == export.FIELDS
    labels = export._labels()
    assert all(labels[name] for name in export.FIELDS)  # each column has its heading
    assert [f.name for f in FIELDS if f.paths] == seed_demo.FIELDS


def test_duplicates_compare_what_the_table_says() -> None:
    assert fields.compared("raw", Compare.TIME) == (fields.THOI_GIAN.name,)
    assert fields.compared("raw", Compare.PLACE) == (fields.DIA_DIEM.name,)
    assert fields.compared("raw", Compare.PERSON) == (fields.NHAN_VAT.name,)
    assert fields.compared("article", Compare.LINK) == (fields.LINK.name,)
    assert fields.compared("article", Compare.TEXT) == (fields.CAM_NHAN.name,)
    assert len(fields.compared("raw", Compare.TEXT)) == len(PATHS["raw"])
    article = Submission(kind="tin_tot", path="article", member_id=1, id=3, submitted_at=SENT)
    article.link, article.cam_nhan = "https://www.tuoitre.vn/a?utm_source=x", "Rất hay " * 9
    told = duplicates.story(article)
    assert told.link == "tuoitre.vn/a" and told.words == 18 and not told.raw
