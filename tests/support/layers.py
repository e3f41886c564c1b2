"""What the layer tests read in the source: string literals and template text that spell a
platform's name, and the modules a module imports (``TYPE_CHECKING`` and function-level imports
included)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from jinja2 import Environment


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: prose about platforms, not a name the code uses."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _as_word(name: str) -> re.Pattern[str]:
    """``name`` as a whole word, lowercase as the rows spell it: not part of another word
    (``zalo`` is not in ``zalo_oa`` nor in ``Zalo``; Vietnamese letters count as letters)."""
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w):?")


def _as_id(name: str) -> re.Pattern[str]:
    """``name`` opening an id written ``<platform>:<id>`` (``telegram:123``)."""
    return re.compile(rf"(?<!\w){re.escape(name)}:")


def named_in_python(source: str, names: Iterable[str]) -> list[str]:
    """Each string literal (f-string parts included, docstrings not) that is a platform's name
    or holds ``<name>:`` anywhere (an id such as ``zalo:abc``, in a help text or an f-string)."""
    tree = ast.parse(source)
    skip, wanted = docstrings(tree), tuple(names)
    ids = [_as_id(name) for name in wanted]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value.strip().lower()
            if text in wanted or any(pattern.search(node.value) for pattern in ids):
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


def _template_text(source: str) -> Iterator[tuple[int, str]]:
    """What a template shows: its literal text and the string literals in its expressions
    (``{{ "/lienhe ... telegram:123" }}``, a ``{% set %}`` table's texts), each with its line;
    comments and the code's own names (``platform_label``) left out."""
    for token in Environment().lexer.tokenize(source):
        if token.type in ("data", "string"):
            yield token.lineno, token.value


def worded_in_template(source: str, names: Iterable[str]) -> list[str]:
    """Each place a template's text spells a platform's name as a word of its own (``zalo``,
    ``telegram:123``), where a reader would see it."""
    patterns = [_as_word(name) for name in names]
    found = sorted(
        (lineno + text.count("\n", 0, match.start()), order, match.start(), match.group(0))
        for order, (lineno, text) in enumerate(_template_text(source))
        for pattern in patterns
        for match in pattern.finditer(text)
    )
    return [f"line {line}: {word}" for line, _, _, word in found]


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
