"""What the layer tests read in the source: string literals that spell a platform's name, and
the modules a module imports (``TYPE_CHECKING`` and function-level imports included)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: prose about platforms, not a name the code uses."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def named_in_python(source: str, names: Iterable[str]) -> list[str]:
    """Each string literal (f-string parts included, docstrings not) that is a platform's name
    or starts with ``<name>:`` (an id such as ``zalo:abc``)."""
    tree = ast.parse(source)
    skip, wanted = docstrings(tree), tuple(names)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value.strip().lower()
            if any(text == name or text.startswith(f"{name}:") for name in wanted):
                found.append(f"line {node.lineno}: {node.value!r}")
    return found


def named_in_template(source: str, names: Iterable[str]) -> list[str]:
    """Each quoted name in a template's code or text (``"telegram"``, ``'zalo:abc'``)."""
    found = []
    for name in names:
        pattern = re.compile(rf"""["']{re.escape(name)}(["':])""", re.IGNORECASE)
        for match in pattern.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {match.group(0)}")
    return found


def imports(source: str) -> list[str]:
    """Every module a source imports, wherever the import statement is."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found
