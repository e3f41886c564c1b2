"""A platform is one folder: nothing outside ``bot/platforms/`` (and its texts under
``templates/platforms/<name>/``) spells a platform's name, and dependencies run one way
(start-up → platforms → runtime → handlers → storage): the runtime imports no platform."""

from __future__ import annotations

from pathlib import Path

from bot.platforms.registry import PLATFORMS
from tests.support.layers import imports, named_in_python, named_in_template, worded_in_template

ROOT = Path(__file__).resolve().parents[1]
NAMES = [platform.name for platform in PLATFORMS]  # from the rows, never a list kept here
SCANNED = ("bot", "handlers", "storage")


def python_outside_platforms() -> list[Path]:
    own = ROOT / "bot" / "platforms"
    return [
        path
        for top in SCANNED
        for path in sorted((ROOT / top).rglob("*.py"))
        if own not in path.parents and "migrations" not in path.parts  # frozen revisions
    ]


def shared_templates() -> list[Path]:
    """Every template outside ``templates/platforms/<name>/``: messages, CLI lines, web pages."""
    own = ROOT / "templates" / "platforms"
    found = sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())
    return [p for p in found if own not in p.parents]


def test_the_checks_see_a_planted_name() -> None:
    """Each check catches what it is for, and passes prose and other words."""
    planted = (
        'def f(p):\n    """Only on telegram:123."""\n    return p == "zalo" or f"wordpress:{p}"\n'
    )
    assert named_in_python(planted, NAMES) == ["line 3: 'zalo'", "line 3: 'wordpress:'"]
    assert named_in_python('x = "telegraph"\n# telegram\n', NAMES) == []
    helped = 'p.add_argument("--member", help="<platform>:<id>, e.g. telegram:123")\n'
    assert named_in_python(helped, NAMES) == ["line 1: '<platform>:<id>, e.g. telegram:123'"]
    assert named_in_python('x = f"{p}:{i} or wordpress: {s}"\n', NAMES) == [
        "line 1: ' or wordpress: '"
    ]
    assert named_in_python('x = "the zalo_oa:articles target"\n', NAMES) == [
        "line 1: 'the zalo_oa:articles target'"
    ]
    assert named_in_python('x = "a zalo-oa-connect console, Telegram: 1"\n', NAMES) == []
    assert named_in_template('{% if p == "telegram" %}', NAMES) == ['line 1: "telegram"']
    assert named_in_template("{{ {'facebook': 1} }}\nTelegram", NAMES) == ["line 1: 'facebook'"]
    # A name a reader sees: in the text or in a string the template shows, alone or in an id.
    shown = (
        '{% import "_macros.j2" as m %}\n'
        "Mã có dạng 123456789 hoặc zalo:abc.\n"
        '{{ "/lienhe <mã> them telegram:123" }} · {% set why = {"k": "qua wordpress"} %}\n'
        "{# only a comment: telegram #}{{ zalo_oa_id }} trên Zalo, zalo_oa:articles, console\n"
    )
    assert worded_in_template(shown, NAMES) == [
        "line 2: zalo:",
        "line 3: telegram:",
        "line 3: wordpress",
        "line 4: zalo_oa:",
        "line 4: console",
    ]
    # Names inside other words, the labels, the code's own names and comments are not.
    prose = (
        "{# the telegram row #}{{ platform_label(name) }} Telegram, Zalo OA, telegrams,\n"
        "consoles, facebooks, zalo_oa_id, {{ name }}:{{ platform_example(name) }}, zalô"
    )
    assert worded_in_template(prose, NAMES) == []
    typed = "if TYPE_CHECKING:\n    from bot.platforms.protocol import Served\n"
    assert "bot.platforms.protocol" in imports(typed)
    assert "bot.platforms.zalo" in imports("def f():\n    import bot.platforms.zalo\n")


def test_no_module_outside_the_platforms_spells_a_platform() -> None:
    found = {
        str(path.relative_to(ROOT)): hits
        for path in python_outside_platforms()
        if (hits := named_in_python(path.read_text(encoding="utf-8"), NAMES))
    }
    assert found == {}, "read the name from the registry rows (or Deps.platforms)"


def test_no_shared_template_spells_a_platform() -> None:
    found = {
        str(path.relative_to(ROOT)): hits
        for path in shared_templates()
        if (hits := named_in_template(path.read_text(encoding="utf-8"), NAMES))
    }
    assert found == {}, "move the platform's own text to templates/platforms/<name>/"


def test_no_shared_template_shows_a_platform_in_its_text() -> None:
    """An example such as ``telegram:123`` comes from the rows the code passes in and each
    platform's own ``example_id`` (``templates/platforms/<name>/names.j2``)."""
    assert any(path.suffix == ".html" for path in shared_templates())  # the board's pages too
    found = {
        str(path.relative_to(ROOT)): hits
        for path in shared_templates()
        if (hits := worded_in_template(path.read_text(encoding="utf-8"), NAMES))
    }
    assert found == {}, "show m.person_id(name) / platform_example(name) with names passed in"


def test_the_runtime_imports_no_platform() -> None:
    """Nor do the web server, the handlers and the storage below it."""
    above = ("bot.platforms", "bot.serve")  # the layers above the runtime
    below = [ROOT / "bot" / "runtime", ROOT / "bot" / "web", ROOT / "handlers", ROOT / "storage"]
    found = {
        str(path.relative_to(ROOT)): [m for m in imports(path.read_text()) if m.startswith(above)]
        for folder in below
        for path in sorted(folder.rglob("*.py"))
    }
    assert {path: hits for path, hits in found.items() if hits} == {}
