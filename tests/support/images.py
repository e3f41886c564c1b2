"""Real image and video bytes for tests: small, distinct by ``shade``, readable by Pillow."""

from __future__ import annotations

from io import BytesIO

from PIL import Image


def jpeg(width: int = 64, height: int = 48, *, shade: int = 120) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (shade, 200, 90)).save(out, "JPEG")
    return out.getvalue()


def mp4(size: int = 4096) -> bytes:
    """An ISO base media file's first box (what a phone's clip starts with), then padding."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * size
