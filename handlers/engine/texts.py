"""Rendering the templates in ``templates/`` for a platform's markup.

One template serves every platform: Telegram gets HTML with user content escaped, Zalo and the
console get plain text with user content shown as typed. Templates mark emphasis with the
``b``/``i`` filters rather than raw tags so that plain platforms show no markup.
"""

from __future__ import annotations

import contextlib
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from handlers.engine.types import Say

Markup_ = Literal["html", "plain"]
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_BLANK_LINES = re.compile(r"\n{3,}")


def _html_tag(tag: str) -> Any:
    def wrap(value: object) -> Markup:
        return Markup(f"<{tag}>{{}}</{tag}>").format(value)

    return wrap


def _html_link(label: object, url: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, label)


def _plain_link(label: object, url: str) -> str:
    return str(label) if url.startswith("tg://") else f"{label} ({url})"


class _Compiled(FileSystemBytecodeCache):
    """A template's compiled code, kept on disk: compiling each on its first render cost a new
    bot process about 1.5 s of CPU on its first members (bench/flow.py). Kept in the user's
    private temporary folder, keyed by the template's name and checked against a hash of its
    source; a cache that cannot be written is no error (the template is compiled as before)."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled(markup: Markup_) -> _Compiled | None:
    try:  # one file pattern per markup: autoescaping compiles a template differently
        return _Compiled(pattern=f"__tintot_{markup}_%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile in memory
        return None


@cache
def environment(markup: Markup_) -> Environment:
    html = markup == "html"
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the code: no stat of the file per render
        bytecode_cache=_compiled(markup),
    )
    plain: Any = str
    env.filters["b"] = _html_tag("b") if html else plain
    env.filters["i"] = _html_tag("i") if html else plain
    env.filters["code"] = _html_tag("code") if html else plain
    env.filters["link"] = _html_link if html else _plain_link
    env.filters["dmy"] = lambda value: value.strftime("%d/%m/%Y")
    env.filters["hm_dmy"] = lambda value: value.strftime("%H:%M %d/%m/%Y")
    env.filters["field_label"] = lambda name: label(f"field_{name}")
    env.globals["platform_label"] = platform_label
    env.globals["platform_example"] = platform_example
    return env


def render(say: Say, markup: Markup_) -> str:
    text = environment(markup).get_template(say.template).render(**say.ctx)
    return _BLANK_LINES.sub("\n\n", text).strip()


def platform_label(name: str) -> str:
    """How people see a platform (``templates/platforms/<name>/names.j2``, its registry row's
    label); a name without such a file is shown as it is."""
    try:
        return label("label", f"platforms/{name}/names.j2")
    except TemplateNotFound:
        return name


def platform_example(name: str, of: Literal["id", "target"] = "id") -> str:
    """A platform's own example for the usage lines (``example_id``: a person there,
    ``example_target``: where it publishes), from ``templates/platforms/<name>/names.j2``: the
    shared texts write ``<name>:<example>`` and never spell a platform themselves."""
    return label(f"example_{of}", f"platforms/{name}/names.j2")


def label(name: str, source: str = "buttons.j2") -> str:
    """A short text defined in a template with ``{% set name = "..." %}`` (button labels in
    ``templates/buttons.j2`` by default)."""
    module = environment("plain").get_template(source).module
    value = getattr(module, name, None)
    if not isinstance(value, str):
        raise KeyError(f"no label {name!r} in templates/{source}")
    return value
