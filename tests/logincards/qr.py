"""Read the QR code off a printed login card, as a phone camera would."""
from __future__ import annotations

import base64
import io
import re

import zxingcpp
from PIL import Image

QR_IMG = re.compile(r'<img class="logincard-qr" src="data:image/png;base64,([^"]+)"')


def card_url_from_page(html: str) -> str:
    """Decode the QR code of a printed card page and return the address it holds."""
    match = QR_IMG.search(html)
    assert match, "no QR code on the printed card"
    return decode_png(base64.b64decode(match.group(1)))


def decode_png(data: bytes) -> str:
    """The text of the one QR code in a PNG image."""
    with Image.open(io.BytesIO(data)) as image:
        results = zxingcpp.read_barcodes(image.convert("L"))
    assert len(results) == 1, f"expected one QR code, found {len(results)}"
    return results[0].text
