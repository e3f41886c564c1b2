"""A member's update committed in one hand-off to SQLite's thread.

At the end of an update the session holds the member's row and often its draft, a few columns
changed. The ORM's flush writes them one ``UPDATE`` at a time through its unit of work, then
commits: three hand-offs to aiosqlite's thread and a third of the update's CPU
(bench/core_cpu.py). Here the same ``UPDATE`` statements (``storage/direct.py``: built once
per set of columns, the values bound by SQLAlchemy's own type processors) and the ``COMMIT``
run in one call on the thread; then the rows are marked as written, and the session's own
commit finds nothing to flush and no transaction left to end.

Only rows loaded and changed, of the tables listed here (no relationships, no column computed
by the database on update); any new or deleted row, or any other changed row, leaves the whole
commit to the ORM. SQLite only: PostgreSQL's driver has no such thread.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import InstanceState
from sqlalchemy.sql import ClauseElement
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import direct
from storage.models import Member, Submission

_TABLES: dict[type, Table] = {Member: Member.__table__, Submission: Submission.__table__}  # type: ignore[attr-defined]
_ORDER = {model: place for place, model in enumerate(_TABLES)}


async def commit(session: AsyncSession) -> bool:
    """Write this session's changed member and submission rows and commit, on SQLite, in one
    hand-off; False (nothing done) when the ORM must do it."""
    sync = session.sync_session
    if session.bind is None or not direct.sqlite(session) or sync.new or sync.deleted:
        return False
    states: list[InstanceState[Any]] = list(sync.identity_map._modified)
    if any(state.class_ not in _TABLES or state.key is None for state in states):
        return False
    # In the ORM's order (members, then submissions; by key): the same statements in the
    # same order on every run.
    states.sort(key=lambda state: (_ORDER[state.class_], state.key[1] if state.key else ()))
    writes: list[direct.Write] = []
    for state in states:
        changed = _changed(state)
        if changed and state.key is not None:
            table = _TABLES[state.class_]
            statement = _update(table, tuple(sorted(changed)))
            values = {f"v_{name}": value for name, value in changed.items()}
            writes.append(
                direct.prepared(session.bind.dialect, statement).bound(
                    {**values, "pk_": state.key[1][0]}
                )
            )
    if not writes or await direct.run(session, writes, commit=True, rows=True) is None:
        return False
    InstanceState._commit_all_states([(s, s.dict) for s in states], sync.identity_map)
    return True


def _changed(state: InstanceState[Any]) -> dict[str, Any]:
    """The columns the ORM's flush would write: those set to a value unequal to the loaded one
    (as ``sqlalchemy.orm.persistence._collect_update_commands`` decides)."""
    values = {}
    for key, loaded in state.committed_state.items():
        value = state.dict.get(key)
        if state.manager[key].impl.is_equal(value, loaded) is not True:
            values[key] = value
    return values


@cache
def _update(table: Table, names: tuple[str, ...]) -> ClauseElement:
    """``UPDATE table SET names… WHERE id = :pk_``, built once per set of columns."""
    return (
        update(table)
        .where(table.c.id == bindparam("pk_", type_=table.c.id.type))
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names})
    )
