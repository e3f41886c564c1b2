"""The editors' choice on personal data: masked in the post (the default) or kept, recorded."""

from __future__ import annotations

from handlers.router import Router

router = Router()
