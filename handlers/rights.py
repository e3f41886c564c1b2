"""A member's rights over what they sent: withdraw a waiting submission (/rut), be forgotten
(/xoadulieu)."""

from __future__ import annotations

from handlers.router import Router

router = Router()
