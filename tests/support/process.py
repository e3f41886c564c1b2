"""The real ``python -m bot`` as a subprocess, as an operator starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A real process on a loaded two-core CI machine: its imports alone can take tens of seconds.
PROCESS_TIMEOUT = 240


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ``env`` over this environment minus any platform token of ours."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
