"""The QR code printed on a login card, drawn on the server with segno.

A PNG data URI, because the Content-Security-Policy allows `img-src data:` while an inline
SVG would need care with styles; at 10 px per module it prints sharp at card size.
"""
from __future__ import annotations

import segno


def qr_png_data_uri(text: str, *, scale: int = 10) -> str:
    """`text` as a QR code (error correction M, the standard quiet zone) in a data: URI."""
    return segno.make(text, error="m", boost_error=False).png_data_uri(scale=scale, border=4)
