"""Real PDFs made by the tests (and bench/render_deck.py): a tiny writer of our own, no library.

Each page has a coloured band, a big page number and a title in Helvetica (one of the PDF's standard
fonts, so nothing is embedded); the colour changes with the page, so a screenshot tells pages apart."""
from __future__ import annotations

LANDSCAPE = (960, 540)  # 16:9, in points
PORTRAIT = (595, 842)  # A4

# Colours of the band, one per page in turn (RGB from 0 to 1): green, blue, orange, purple.
BANDS = ((0.10, 0.55, 0.25), (0.12, 0.35, 0.75), (0.90, 0.50, 0.10), (0.50, 0.20, 0.60))


def band_rgb(page: int) -> tuple[int, int, int]:
    """The band's colour of ``page`` (from 1) in 0–255, as a screenshot shows it."""
    return tuple(round(c * 255) for c in BANDS[(page - 1) % len(BANDS)])


def _page_stream(page: int, width: int, height: int, title: str) -> bytes:
    r, g, b = BANDS[(page - 1) % len(BANDS)]
    size = min(width, height) // 3
    return (f"{r} {g} {b} rg 0 0 {width} {height} re f\n"
            f"1 1 1 rg {width // 10} {height // 10} {width * 8 // 10} {height * 8 // 10} re f\n"
            f"0 0 0 rg BT /F1 {size} Tf {width // 5} {height // 3} Td ({page}) Tj ET\n"
            f"BT /F1 {max(12, size // 5)} Tf {width // 5} {height * 7 // 10} Td ({title}) Tj ET\n").encode("latin-1")


def make_pdf(pages: int = 1, size: tuple[int, int] = LANDSCAPE, *, title: str = "Diapositive",
             sizes: list[tuple[int, int]] | None = None) -> bytes:
    """A valid PDF of ``pages`` pages of ``size`` points (or one size per page in ``sizes``)."""
    sizes = sizes or [size] * pages
    objects: list[bytes] = []  # object n is objects[n - 1]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # the page tree, written once the kids are known
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for index, (width, height) in enumerate(sizes, start=1):
        stream = _page_stream(index, width, height, title)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        content = len(objects)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents {content} 0 R "
                       f"/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def broken_pdf() -> bytes:
    """Starts like a PDF, is not one: the upload must be refused as unreadable."""
    return b"%PDF-1.7\n" + b"this is not a PDF body at all " * 50
