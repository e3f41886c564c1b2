"""Every value a web page or the Atom feed shows passes here (Jinja's ``finalize``): without
the characters XML 1.0 forbids (``handlers.engine.textnorm.FORBIDDEN``), wherever the text
came from (a name, an old row, an editor's correction), so no reader ever refuses the feed."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from handlers.engine.textnorm import without_forbidden


def finalize(value: Any) -> Any:
    if isinstance(value, Markup):  # a macro's output, already escaped: stays markup
        return Markup(without_forbidden(str(value)))
    if isinstance(value, str):
        return without_forbidden(value)
    return value
