"""The suite's own house rules: a test module reads on its own. Shared steps live in
tests/harness.py and tests/support/, so no test module imports another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(source: str) -> list[str]:
    """The test modules (``test_*``) that a module's source imports, however it spells it."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names = [base] if base else []
            names += [f"{base}.{alias.name}".lstrip(".") for alias in node.names]
        else:
            continue
        relative = isinstance(node, ast.ImportFrom) and node.level > 0
        ours = [
            n
            for n in names
            if relative or n.split(".")[0] in ("tests", "conftest") or n.startswith("test_")
        ]
        found += [name for name in ours if name.rsplit(".", 1)[-1].startswith("test_")]
    return found


def test_the_check_sees_every_spelling() -> None:
    assert imported_test_modules("from tests.test_review import card") == ["tests.test_review"]
    assert imported_test_modules("import tests.test_zalo as z") == ["tests.test_zalo"]
    assert imported_test_modules("from . import test_merge") == ["test_merge"]
    assert imported_test_modules("from tests.support.flows import card") == []
    # A library's own module named test_* is not one of ours (aiohttp's test server).
    assert imported_test_modules("from aiohttp.test_utils import TestServer") == []
    assert imported_test_modules("from tests.platforms.zalo.test_zalo import x") == [
        "tests.platforms.zalo.test_zalo"
    ]


def test_no_test_module_imports_another() -> None:
    offenders = {
        path.name: names
        for path in sorted(TESTS.rglob("*.py"))
        if (names := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, f"move shared helpers to tests/support/: {offenders}"
