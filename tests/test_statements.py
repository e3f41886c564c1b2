"""What one member update costs the database, counted in statements (issue 20): each
statement is a round trip to the database's thread or server, and on the hot path they were
most of the bot's time. A change that adds one to a typical step fails here."""

from __future__ import annotations

from bot.runtime.app import App
from tests.support.core import say
from tests.support.statements import statements


def beginning(sql: str) -> str:
    """A statement's first three words, as both databases' dialects quote them."""
    return " ".join(sql.replace('"', "").split()[:3])


async def test_a_member_answering_a_field_costs_four_statements(app: App) -> None:
    await say(app, command="start")
    await say(app, text="1")  # a unit
    await say(app, command="gui")
    await say(app, text="1")  # Tin tốt
    assert "Thời gian" in await say(app, text="2")  # the raw path: the first field
    with statements(app.engine) as run:
        assert "Địa điểm" in await say(app, text="Sáng 15/11")
    words = [beginning(sql) for sql in run]
    # The claim; the member with their ban and (SQLite) their draft in one read; the member's
    # step, written once; the answer. PostgreSQL reads the draft on its own, after the member's
    # row lock (a read that waited on that lock would see the draft as it was before).
    postgres = app.engine.dialect.name == "postgresql"
    assert words == [
        "INSERT INTO processedupdate",
        "SELECT member.platform, member.platform_user_id,",
        *(["SELECT submission.kind, submission.path,"] if postgres else []),
        "UPDATE member SET",
        "UPDATE submission SET",
    ], run
    assert "LEFT OUTER JOIN submission" in run[1] or postgres
    assert "FROM ban" in run[1]


async def test_an_update_seen_before_costs_two_statements(app: App) -> None:
    await say(app, command="start")
    with statements(app.engine) as run:
        assert await say(app, command="start", update_key="count:again") != ""
        assert await say(app, command="start", update_key="count:again") == ""
    # The second delivery: its claim finds the key taken, and it asks only whether the first
    # was answered (polling: no inbox row, so it was).
    second = run[len(run) - 2 :]
    assert [beginning(sql) for sql in second] == [
        "INSERT INTO processedupdate",
        "SELECT inbox.key FROM",
    ], run
