"""The duplicate rule's cost per send (handlers/merging/duplicates.py's docstring): best_match
of one new story against 400 candidates, typical stories side by side with every field at its
length limit, in one run, alternating; CPU time (time.process_time) medians and their ratio.

    python3 bench/duplicates.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.fields import asked_on
from handlers.merging.duplicates import best_match, story
from storage.models import Submission

SENT = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
SENTENCE = (
    "Sáng 15/11 tại nhà văn hóa khu phố 3 phường An Lạc cô giáo Nguyễn Thị Hoa cùng 15 đoàn "
    "viên chi đoàn mở lớp học tình thương miễn phí cho các em có hoàn cảnh khó khăn"
)
WORDS = SENTENCE.split()


def text(length: int, seed: int) -> str:
    words = [WORDS[(seed * 7 + n) % len(WORDS)] for n in range(length // 4)]
    return " ".join(words)[:length]


def raw(n: int, full: bool) -> Submission:
    values = {f.name: text(f.limit if full else 60, n + i) for i, f in enumerate(asked_on("raw"))}
    return Submission(id=n, member_id=1, kind="tin_tot", path="raw", unit_code="p-anlac",
                      submitted_at=SENT, created_at=SENT, updated_at=SENT, **values)  # fmt: skip


def cpu_seconds(full: bool) -> float:
    candidates = [story(raw(n, full)) for n in range(400)]
    new = story(raw(10_000, full))
    started = time.process_time()
    best_match(new, iter(candidates))
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    typical, full = [], []
    for _ in range(args.rounds):
        typical.append(cpu_seconds(False))
        full.append(cpu_seconds(True))
    a, b = statistics.median(typical), statistics.median(full)
    print(f"400 candidates, typical stories:   {a * 1000:8.1f} ms CPU")
    print(f"400 candidates, fields at limit:   {b * 1000:8.1f} ms CPU")
    print(f"ratio (at limit / typical):        {b / a:8.2f}")


if __name__ == "__main__":
    main()
