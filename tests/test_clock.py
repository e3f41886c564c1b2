"""One clock: nothing in bot/, handlers/ or storage/ reads the time but ``storage/clock.py``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK = ROOT / "storage" / "clock.py"
# module or class . attribute that reads a clock
READS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "monotonic"), ("time", "monotonic_ns"),
    ("time", "perf_counter"), ("time", "perf_counter_ns"), ("time", "localtime"),
    ("time", "gmtime"), ("time", "ctime"), ("time", "asctime"), ("time", "strftime"),
    ("loop", "time"), ("pendulum", "now"), ("arrow", "now"), ("arrow", "utcnow"),
}  # fmt: skip
IMPORTED = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}


def clock_reads(source: str) -> list[str]:
    """Each place in ``source`` that reads the wall clock or a timer."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Call):  # asyncio.get_running_loop().time()
                owner = owner.func
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.attr) in READS or (node.attr == "time" and "loop" in name):
                found.append(f"line {node.lineno}: {name}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in {"time", "datetime"}:
            for alias in node.names:
                if node.module == "time" and alias.name in IMPORTED:
                    found.append(f"line {node.lineno}: from time import {alias.name}")
    return found


def test_nothing_but_the_clock_module_reads_the_time() -> None:
    offenders = {
        str(path.relative_to(ROOT)): reads
        for folder in ("bot", "handlers", "storage")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != CLOCK and (reads := clock_reads(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_finds_each_way_of_reading_the_time() -> None:
    sources = [
        "from datetime import datetime\nx = datetime.now()",
        "import datetime\nx = datetime.datetime.utcnow()",
        "from datetime import date\nx = date.today()",
        "import time\nx = time.time()",
        "import time\nx = time.monotonic()",
        "from time import monotonic",
        "import asyncio\nx = asyncio.get_running_loop().time()",
        "x = loop.time()",
        "x = self.loop.time()",
    ]
    for source in sources:
        assert clock_reads(source), source
    assert clock_reads("from datetime import UTC, datetime\nx = datetime(2026, 1, 1)") == []
    assert clock_reads("x = deps.clock()") == []
