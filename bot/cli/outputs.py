"""What the command-line tasks may write: never over the database, never over a file by
surprise, and a clear line instead of a traceback for a missing folder or a reversed range."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sqlalchemy.engine import make_url


def refusal(args: argparse.Namespace, database_url: str) -> tuple[str, str] | None:
    """Why the task must not start (a key of cli/refused.j2 and the path), checked before the
    database is even opened: a file written over is lost, the database's own above all."""
    if args.command == "export" and args.start and args.end and args.start > args.end:
        return "range", ""
    outs = [args.out] if args.command == "export" else []
    outs += [p for p in (getattr(args, "xlsx", None), getattr(args, "png", None)) if p]
    for out in outs:
        if _database_file(out, database_url):
            return "database", str(out)
        if out.is_dir():
            return "folder", str(out)
        if not out.parent.is_dir():
            return "no_folder", str(out.parent)
        if (out.exists() or out.is_symlink()) and not args.force:
            return "exists", str(out)
    return None


def _database_file(out: Path, database_url: str) -> bool:
    """The SQLite database or one of its companions, by any path: relative, through a
    symlink, or a hard link to it."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    database = Path(str(url.database)).resolve()
    own = [Path(f"{database}{end}") for end in ("", "-wal", "-shm", "-journal", ".lock")]
    target = out.resolve()
    if target in own:
        return True
    return out.exists() and any(f.exists() and os.path.samefile(f, target) for f in own)
