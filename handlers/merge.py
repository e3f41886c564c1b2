"""Gộp: one story sent by several members, published once, crediting each of them."""

from __future__ import annotations

from handlers.router import Router

router = Router()
