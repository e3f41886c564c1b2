"""The link of the article path, read as a browser reads it (the WHATWG URL Standard,
https://url.spec.whatwg.org/, through ada-url: https://ada-url.github.io/ada-python/).

``urlsplit`` and a browser disagree on some links: ``https://evil.example\\@tuoitre.vn/`` is
tuoitre.vn to ``urlsplit`` and evil.example to a browser (a backslash ends the host there).
Forms that people read one way and browsers another are refused, so the host checked against
the trusted sources is the one a reader's browser opens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ada_url

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
_DOMAIN = 0  # ada's host_type: 0 a name, 1 IPv4 (also 0x7f.1 and the like), 2 IPv6


@dataclass(frozen=True)
class Link:
    text: str  # as the member wrote it (with https:// added before a bare www.)
    host: str  # the host a browser opens: lower case, IDNA (xn--) form


@dataclass(frozen=True)
class Refused:
    """Why: ``not_link``, or an ambiguous form: ``space``, ``hidden``, ``backslash``,
    ``scheme``, ``slashes``, ``userinfo``, ``encoded``, ``ip``."""

    why: str


def read_link(text: str) -> Link | Refused:
    candidate = text.strip()
    if candidate.lower().startswith("www."):
        candidate = "https://" + candidate
    if any(ch.isspace() for ch in candidate):
        # A link with words around it, or one cut in two; or just words.
        return Refused("space" if "://" in candidate else "not_link")
    if any(unicodedata.category(ch).startswith("C") for ch in candidate):
        return Refused("hidden")  # zero-width and control characters a browser drops
    if "\\" in candidate:
        return Refused("backslash")  # a browser reads it as "/": the host ends there
    match = _SCHEME.fullmatch(candidate)
    if match is None:
        return Refused("not_link")
    if match.group(1).lower() not in ("http", "https"):
        return Refused("scheme")
    rest = match.group(2)
    if not rest.startswith("//") or rest.startswith("///"):
        return Refused("slashes")  # https:host and https:///host open host in a browser
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    if "@" in authority:
        return Refused("userinfo")  # https://tuoitre.vn@evil.example opens evil.example
    if "%" in authority:
        return Refused("encoded")  # tuoitre%2evn is tuoitre.vn to a browser, not to a reader
    try:
        parsed = ada_url.parse_url(candidate)
    except ValueError:
        return Refused("not_link")
    host = str(parsed["hostname"])
    if parsed["host_type"] != _DOMAIN:
        return Refused("ip")
    if "." not in host.strip("."):
        return Refused("not_link")
    return Link(candidate, host)
