"""QR codes as SVG (for screens) and as text (for the terminal)."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def svg(data: str, *, quiet: int = 4) -> bytes:
    """Dark modules on a white background, with the quiet zone readers need: the standard 4 modules, or 2
    on a screen that sets the code on a white card of its own (the projector's "QR plein écran"), where
    every pixel the margin gives back goes to the modules."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=quiet,
                         image_factory=qrcode.image.svg.SvgPathFillImage)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def terminal(data: str) -> str:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    code.add_data(data)
    code.make(fit=True)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()
