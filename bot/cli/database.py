"""``python -m bot migrate | backup | restore``: the database's life on the server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.backup import files, migrating
from bot.backup.make import take
from bot.backup.postgres import BackupFailed, ToolMissing
from bot.backup.restore import Refused, restore
from bot.settings import Settings
from handlers.engine.texts import render
from handlers.engine.types import Say
from storage.clock import Clock, system

COMMANDS = ("migrate", "backup", "restore")


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    upgrade = commands.add_parser("migrate", help="bring the database to this version")
    upgrade.add_argument("--no-backup", action="store_true", help="skip the backup first")
    upgrade.add_argument("--out", type=Path, help="the backup's folder (default: BACKUP_DIR)")
    copy = commands.add_parser("backup", help="one file: the database and the media store")
    copy.add_argument("--out", type=Path, help="the folder (default: BACKUP_DIR)")
    back = commands.add_parser("restore", help="a backup into an empty database")
    back.add_argument("file", type=Path)


def say(template: str, stderr: bool = False, /, **context: object) -> None:
    print(render(Say(template, context), "plain"), file=sys.stderr if stderr else sys.stdout)


async def run(args: argparse.Namespace, settings: Settings, clock: Clock = system) -> int:
    try:
        if args.command == "migrate":
            return await _migrate(args, settings, clock)
        if args.command == "backup":
            made = await take(settings, args.out or files.default_folder(settings), at=clock())
            say(
                "cli/backed_up.j2",
                path=str(made.path),
                revision=made.revision,
                counts=made.counts,
                media_files=made.media_files,
            )
            return 0
        done = await restore(settings, args.file)
        say("cli/restored.j2", path=str(args.file), revision=done.revision, counts=done.counts)
        return 0
    except ToolMissing as error:
        say("cli/backup_tool_missing.j2", True, tool=str(error))
    except BackupFailed as error:
        say("cli/backup_failed.j2", True, error=str(error))
    except Refused as error:
        say("cli/restore_refused.j2", True, what=error.what, path=error.path, names=error.names)
    return 2


async def _migrate(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    try:
        done = await migrating.run(settings, at=clock(), backup=not args.no_backup, folder=args.out)
    except migrating.MigrateFailed as failed:
        error = failed.error
        say(
            "cli/migrate_failed.j2",
            True,
            before=failed.before,
            error=f"{type(error).__name__}: {str(error).splitlines()[0][:300]}",
            backup=str(failed.backup) if failed.backup else None,
        )
        return 1
    applied = [{"revision": rev, "doc": doc} for rev, doc in done.applied]
    say(
        "cli/migrated.j2",
        before=done.before,
        after=done.after,
        applied=applied,
        backup=str(done.backup) if done.backup else None,
    )
    return 0
