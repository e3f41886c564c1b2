"""The project's database session: SQLModel's, closed without a task when nothing is open.

SQLAlchemy's ``AsyncSession`` closes at the end of ``async with`` in a task shielded from
cancellation, through a greenlet: an event loop's turn and two greenlet switches at the end of
each update, 9% of the instructions of a member's shortest update (the claim, the read, the
commit; bench/core_cpu.py's loop under callgrind). After a commit the session holds no
transaction and so no connection: closing it then only forgets its rows, no I/O to protect
from a cancellation, so it is done at once. A session ended with a transaction still open
(an error, a rollback to make, a connection to give back) closes as before.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession


class Session(AsyncSession):
    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        if self.sync_session._transaction is None:
            self.sync_session.close()  # no transaction: no connection to give back
        else:
            await super().__aexit__(type_, value, traceback)
