"""Likely duplicate stories: the rule and its thresholds (being built)."""

from __future__ import annotations
