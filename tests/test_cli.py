"""The server-side commands, run as an operator or cron would."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.support.cli import main_in_process, run_bot


def test_seed_demo_then_export(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    seeded = run_bot(env, "seed-demo", "--submissions", "300", "--units", "20", "--days", "60")
    assert seeded.returncode == 0, seeded.stderr
    assert "300 tin" in seeded.stdout
    out = tmp_path / "kho.csv"
    exported = run_bot(env, "export", "--format", "csv", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) > 100 and f"Đã xuất {len(rows) - 1} tin" in exported.stdout
    # A wrong date is refused before the database is touched: told by main in this process.
    code, _, err = main_in_process(
        env, "export", "--format", "csv", "--from", "hôm qua", "--out", str(out)
    )
    assert code == 2 and "Traceback" not in err and "hôm qua" in err
