"""A small PDF writer for Chinese text documents (contracts, notices).

It uses the standard Adobe CJK font ``STSong-Light`` with the ``UniGB-UCS2-H`` encoding, which
every PDF reader ships, so nothing is embedded and no font file is needed. Only text is drawn:
a title, then lines wrapped at a fixed number of characters, on as many A4 pages as needed.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN = 56
TITLE_SIZE, BODY_SIZE = 16, 10.5
LEADING = 17
CHARS_PER_LINE = 44


def _hex(text: str) -> str:
    return "".join(f"{ord(c):04X}" if ord(c) <= 0xFFFF else "FFFD" for c in text)


def wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    """Hard-wrap paragraphs at ``width`` characters (Chinese text has no spaces to break on)."""
    out = []
    for paragraph in text.splitlines():
        if not paragraph:
            out.append("")
        while paragraph:
            out.append(paragraph[:width])
            paragraph = paragraph[width:]
    return out


def _pages(title: str, lines: list[str]) -> list[bytes]:
    per_page = int((PAGE_H - 2 * MARGIN - 40) / LEADING)
    chunks = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    streams = []
    for number, chunk in enumerate(chunks, start=1):
        ops = [f"BT /F1 {TITLE_SIZE} Tf {MARGIN} {PAGE_H - MARGIN} Td <{_hex(title)}> Tj ET"] if number == 1 else []
        y = PAGE_H - MARGIN - 40
        for line in chunk:
            if line:
                ops.append(f"BT /F1 {BODY_SIZE} Tf {MARGIN} {y} Td <{_hex(line)}> Tj ET")
            y -= LEADING
        footer = f"第 {number} 页 共 {len(chunks)} 页"
        ops.append(f"BT /F1 9 Tf {PAGE_W / 2 - 40} {MARGIN / 2} Td <{_hex(footer)}> Tj ET")
        streams.append("\n".join(ops).encode("ascii"))
    return streams


def render_text_pdf(title: str, body: str, created: datetime | None = None) -> bytes:
    """A PDF of ``title`` and ``body`` (lines wrapped); deterministic for the same input."""
    created = created or datetime.now(UTC)
    streams = _pages(title, wrap(body))
    objects: list[bytes] = []
    n_pages = len(streams)
    page_ids = [5 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
                   b"/DescendantFonts [4 0 R] >>")
    objects.append(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                   b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
                   b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
                   b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
                   b"/StemV 93 >> >>")
    for i, stream in enumerate(streams):
        content_id = page_ids[i] + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode())
        packed = zlib.compress(stream)
        objects.append(f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed
                       + b"\nendstream")
    info_id = len(objects) + 1
    objects.append(f"<< /Producer (housing-approval) /CreationDate (D:{created:%Y%m%d%H%M%S}Z) "
                   f"/Title <FEFF{_hex(title)}> >>".encode())
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_id} 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
