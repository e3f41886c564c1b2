"""``python bench/profiled.py OUT run`` runs ``python -m bot run`` under cProfile timed by the
main thread's own CPU clock, from the moment it gets SIGUSR1 (bench/flow.py sends it when its
members start, with ``BENCH_CPROFILE=OUT``), and when the bot exits writes the stats to OUT
(``python -m pstats OUT``) and the SQL statements it ran, most frequent first, to OUT.sql:
where the event loop's CPU goes, without the waits a sampling profiler counts on a loaded
machine.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


class Recorder:
    def __init__(self) -> None:
        self.profile = cProfile.Profile(time.thread_time)
        self.statements: Counter[str] = Counter()
        self.on = False

    def start(self, *_: Any) -> None:
        self.on = True
        self.profile.enable()

    def count(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.on:
            self.statements[" ".join(statement.split())[:160]] += 1

    def write(self, out: str) -> None:
        self.profile.disable()
        self.profile.dump_stats(out)
        with open(f"{out}.sql", "w") as listing:
            for sql, times in self.statements.most_common():
                listing.write(f"{times:7d} {sql}\n")


if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])  # the worktree, as with ``-m bot``
    out = sys.argv[1]
    sys.argv = ["bot", *sys.argv[2:]]
    recorder = Recorder()
    event.listen(Engine, "before_cursor_execute", recorder.count)
    signal.signal(signal.SIGUSR1, recorder.start)
    try:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
    finally:
        recorder.write(out)
