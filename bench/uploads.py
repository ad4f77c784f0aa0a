"""CPU one upload costs a worker: pictures checked, decoded, cleaned and resized (app/uploads/services.py).

Each case is stored by the same function the upload route calls for a picture (`_store_image`, the
whole decoding work: verify, decode, upright, scale, re-encode, display copy and thumbnail), in
this process, best of `--rounds`. The ceiling beside it is Pillow decoding the same file whole and
nothing else, which is what every upload paid at least before decoding was bounded (issue 15, item 7:
a 40-megapixel PNG cost 1.7 s of CPU in the full pipeline). Target: no upload, accepted or refused,
costs more than 0.5 s of CPU.
"""
from __future__ import annotations

import argparse
import io
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.uploads.services import UploadRejected, _store_image

TARGET_SECONDS = 0.5


def png_bomb(width: int, height: int) -> bytes:
    """An RGB PNG of black pixels: kilobytes that decode to width × height × 3 bytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer, row = zlib.compressobj(9), b"\x00" * (3 * width + 1)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def photo(width: int, height: int) -> bytes:
    """A JPEG with a photo's texture (a gradient and some grain), quality 85."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width, height), 12).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, grain, 0.3).save(out, "JPEG", quality=85)
    return out.getvalue()


def webp(width: int, height: int) -> bytes:
    """A WebP of the same texture as photo()."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo(width, height))).save(out, "WEBP")
    return out.getvalue()


def png_photo(width: int, height: int) -> bytes:
    """A PNG of the same texture as photo(): the costliest kind of PNG to re-encode."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo(width, height))).save(out, "PNG", compress_level=1)
    return out.getvalue()


def cpu(work) -> tuple[float, str]:
    """CPU seconds of `work()` and what came of it."""
    start = time.process_time()
    try:
        outcome = work()
    except UploadRejected as exc:
        outcome = f"refused: {exc.message}"
    return time.process_time() - start, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    Image.MAX_IMAGE_PIXELS = None  # the ceiling decodes what the app refuses
    cases = [
        ("PNG 8000×5000 black (40 MP bomb)", png_bomb(8000, 5000)),
        ("PNG 4096×4096 black (at the limit)", png_bomb(4096, 4096)),
        ("PNG 3072×3072 photo texture", png_photo(3072, 3072)),
        ("WebP 4096×4096 (at the limit)", webp(4096, 4096)),
        ("JPEG 8160×6120 (50 MP photo)", photo(8160, 6120)),
        ("JPEG 4032×3024 (12 MP photo)", photo(4032, 3024)),
    ]
    worst = 0.0
    print(f"{'case':38} {'size':>9} {'stored, CPU s':>14} {'bare decode (ceiling), CPU s':>29}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for index, (label, data) in enumerate(cases):
            stored, bare, outcome = [], [], ""
            for n in range(rounds):
                seconds, result = cpu(lambda d=data, where=Path(folder) / f"{index}-{n}": _store_image(d, where))
                stored.append(seconds)
                outcome = result if isinstance(result, str) else f"stored {result[1]}×{result[2]}"
                bare.append(cpu(lambda d=data: Image.open(io.BytesIO(d)).load())[0])
            worst = max(worst, min(stored))
            print(f"{label:38} {len(data) / 1e6:7.2f}MB {min(stored):14.3f} {min(bare):29.3f}  {outcome}")
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    print(f"worst upload: {worst:.3f} s of CPU (target ≤ {TARGET_SECONDS} s) — {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
