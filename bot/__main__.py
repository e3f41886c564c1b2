"""``python -m bot [run|demo|migrate|backup|restore|doctor|seed-demo|export|report|forget|
count-pages|a platform's own]``: with no command, run (or the demo when no platform has a
token)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic import ValidationError

from bot.cli import database, tasks
from bot.runtime.watchdog import DatabaseGone, DatabaseReadOnly
from bot.settings import Settings, describe_error, secret_values
from handlers.engine.texts import render
from handlers.engine.types import Say
from storage.locks import AlreadyRunning


def _fail(template: str, **ctx: object) -> int:
    print(render(Say(template, ctx), "plain"), file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    commands = parser.add_subparsers(dest="command")
    for name in ("run", "demo"):
        commands.add_parser(name)
    database.add_arguments(commands)
    commands.add_parser("doctor", help="check settings, database, platforms, space and backups")
    tasks.add_arguments(commands)
    from bot.platforms.registry import PLATFORMS, chat_names  # rows only: no client loads here

    for row in PLATFORMS:  # a platform's own commands (bot/platforms/<name>/)
        row.add_commands(commands)
    args = parser.parse_args(argv)
    try:
        settings = Settings()  # each platform's own checks included (bot/platforms/registry.py)
    except ValidationError as error:
        name, key, value = describe_error(error)
        if args.command == "doctor":  # the first line of the check, and the only one possible
            found = {"name": name, "key": key, "value": value, "chats": chat_names()}
            text = render(Say("cli/config_error.j2", found), "plain")
            bad = {"ok": False, "key": "settings_bad", "text": text}
            print(render(Say("cli/doctor.j2", bad), "plain"))
            return 1
        return _fail("cli/config_error.j2", name=name, key=key, value=value, chats=chat_names())

    from bot.platforms import registry
    from bot.runtime import logs
    from bot.serve import runner
    from bot.serve.supervision import ServeFailed
    from bot.serve.unit_targets import TargetProblem

    command = args.command or "run"
    console = command == "demo" or (command == "run" and not registry.served(settings))
    # The console is someone's terminal: only warnings there, unless asked for more.
    quiet = console and settings.log_level == "INFO"
    logs.setup("WARNING" if quiet else settings.log_level, secret_values(settings))
    try:
        if command in database.COMMANDS:
            return asyncio.run(database.run(args, settings))
        if command == "doctor":
            from bot.cli import doctor

            return asyncio.run(doctor.run(settings))
        owner = next((row for row in PLATFORMS if command in row.commands), None)
        if owner is not None:
            return asyncio.run(owner.run_command(args, settings))
        if command in ("seed-demo", "export", "report", "forget", "count-pages"):
            return asyncio.run(tasks.run_task(args, settings))
        return runner.run(command, settings)
    except AlreadyRunning as error:
        return _fail("cli/already_running.j2", path=str(error))
    except DatabaseReadOnly as error:
        return _fail("cli/database_read_only.j2", path=error.args[0], where=error.args[1])
    except DatabaseGone as error:
        return _fail("cli/database_gone.j2", path=error.args[0])
    except runner.OrgError as error:
        return _fail(
            "cli/org_error.j2",
            path=settings.org_config,
            where=error.where,
            key=error.key,
            value=error.value,
            targets=registry.served_names(),
        )
    except TargetProblem as problem:  # a unit's own target (any command that opens the app)
        return _fail(
            "cli/org_error.j2",
            path=settings.org_config,
            where=f"units ({problem.unit}) targets: ",
            key="target",
            value=problem.line,
            targets=registry.served_names(),
        )
    except ServeFailed:  # already logged, in one line
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
