"""The contract PDF: title, wrapped text and page footers in an embedded CJK font.

reportlab embeds a subset of a TrueType font, so digits and Latin letters print as the font
draws them (no reader-substituted CID font with full-width spacing). The font is the first of
``HOUSING_CONTRACT_FONT_FILE`` and :data:`FONT_CANDIDATES` that exists; OpenType fonts with
PostScript outlines (Noto Sans CJK) cannot be embedded by reportlab, hence WenQuanYi Zen Hei.
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from app.config import ROOT

FONT_NAME = "ContractCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
MARGIN = 56
TITLE_SIZE, BODY_SIZE = 16, 10.5
LEADING = 17
WIDTH = A4[0] - 2 * MARGIN
#: Where the signature's visible stamp goes on the last page (x1, y1, x2, y2 in points).
SIGNATURE_BOX = (MARGIN, 520, A4[0] - MARGIN, 700)


class FontMissing(RuntimeError):
    """No CJK TrueType font to embed was found."""


def _single(path: str) -> str:
    """``path`` itself, or for a collection (.ttc) its first font extracted once under instance/."""
    if not path.lower().endswith(".ttc"):
        return path
    target = ROOT / "instance" / "fonts" / (Path(path).stem + "-0.ttf")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".font-")
        with os.fdopen(fd, "wb") as out:
            TTCollection(path).fonts[0].save(out)
        os.replace(tmp, target)
    return str(target)


@lru_cache(maxsize=4)
def font_file(configured: str = "") -> str:
    """The single-font file to embed (``FontMissing`` when there is none)."""
    for path in (configured, *FONT_CANDIDATES):
        if path and Path(path).is_file():
            return _single(path)
    raise FontMissing("no CJK TrueType font found; install fonts-wqy-zenhei or set HOUSING_CONTRACT_FONT_FILE")


@lru_cache(maxsize=4)
def register_font(path: str) -> str:
    """Register ``path`` with reportlab once; returns the font name."""
    name = f"{FONT_NAME}-{abs(hash(path)) % 10_000}"
    pdfmetrics.registerFont(TTFont(name, path))
    return name


def wrap(text: str, font: str, size: float, width: float = WIDTH) -> list[str]:
    """Lines of ``text`` that fit ``width`` points, breaking anywhere (Chinese has no spaces)."""
    out: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for char in paragraph:
            if pdfmetrics.stringWidth(line + char, font, size) > width:
                out.append(line)
                line = char
            else:
                line += char
        out.append(line)
    return out


def render_contract_pdf(title: str, body: str, *, font_path: str = "", created: datetime | None = None) -> bytes:
    """A PDF of ``title`` and ``body`` with the font subset embedded; deterministic for one input."""
    font = register_font(font_file(font_path))
    created = created or datetime.now(UTC)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1, initialFontName=font,
                        initialFontSize=BODY_SIZE)
    pdf.setTitle(title)
    pdf.setProducer("housing-approval")
    pdf.setCreator("housing-approval")
    pdf.setSubject(f"created {created:%Y-%m-%d %H:%M:%S}Z")
    lines = wrap(body, font, BODY_SIZE)
    per_page = int((A4[1] - 2 * MARGIN - 40) // LEADING)
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    total = len(pages) + 1  # and the signature page
    for number, chunk in enumerate(pages, start=1):
        if number == 1:
            pdf.setFont(font, TITLE_SIZE)
            pdf.drawCentredString(A4[0] / 2, A4[1] - MARGIN, title)
        pdf.setFont(font, BODY_SIZE)
        y = A4[1] - MARGIN - 40
        for line in chunk:
            pdf.drawString(MARGIN, y, line)
            y -= LEADING
        pdf.setFont(font, 9)
        pdf.drawCentredString(A4[0] / 2, MARGIN / 2, f"第 {number} 页 共 {total} 页")
        pdf.showPage()
    pdf.setFont(font, TITLE_SIZE)
    pdf.drawCentredString(A4[0] / 2, A4[1] - MARGIN, "签署页")
    pdf.setFont(font, BODY_SIZE)
    pdf.drawString(MARGIN, A4[1] - MARGIN - 40,
                   "承租人以短信验证码确认身份后电子签署；平台以数字证书加盖电子签章（见下方签章区）。")
    pdf.drawString(MARGIN, A4[1] - MARGIN - 40 - LEADING, "签章可在“合同验真”页面（/contracts/verify）核验。")
    pdf.rect(*SIGNATURE_BOX[:2], SIGNATURE_BOX[2] - SIGNATURE_BOX[0], SIGNATURE_BOX[3] - SIGNATURE_BOX[1])
    pdf.setFont(font, 9)
    pdf.drawCentredString(A4[0] / 2, MARGIN / 2, f"第 {total} 页 共 {total} 页")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
