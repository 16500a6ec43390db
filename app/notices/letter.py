"""The refusal letter (不予通过决定书) as a PDF the applicant downloads, Chinese text embedded.

fpdf2 lays out the text and embeds a subset of a CJK font, so the letter prints the same on
any reader (see docs/adr/0012-refusal-letter-pdf.md). The font is Noto Sans CJK SC from the
system (Debian's ``fonts-noto-cjk``). Noto ships as a
collection (``.ttc``), which fpdf2 does not read, so the Simplified Chinese face is copied out
of it once into the temp folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fpdf import FPDF

#: where Debian's fonts-noto-cjk puts the collection; index 2 is the Simplified Chinese face
FONT_CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                   "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc")
SC_INDEX = 2


class FontMissing(RuntimeError):
    """No CJK font to write a Chinese letter with."""


def font_file() -> Path:
    """A font file fpdf2 can embed (an .otf/.ttf; a .ttc has its SC face copied out once)."""
    source = next((Path(c) for c in FONT_CANDIDATES if Path(c).is_file()), None)
    if source is None:
        raise FontMissing(f"no CJK font found (tried {', '.join(FONT_CANDIDATES)}); install fonts-noto-cjk")
    if source.suffix.lower() != ".ttc":
        return source
    target = Path(tempfile.gettempdir()) / f"housing-{source.stem}-{SC_INDEX}.otf"
    if not target.is_file():
        from fontTools.ttLib import TTCollection

        partial = target.with_suffix(f".{os.getpid()}.tmp")
        TTCollection(str(source)).fonts[SC_INDEX].save(str(partial))
        partial.replace(target)
    return target


def refusal_letter(case: dict, remedies: dict) -> bytes:
    """The letter of a refused case: who, what was decided, why, on which rules, and the remedies."""
    outcome: dict = case["outcome"] if isinstance(case.get("outcome"), dict) else {}
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 22, 22)
    pdf.add_page()
    pdf.add_font("cjk", fname=str(font_file()))
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, "不予通过决定书", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, f"申请编号：{case.get('application_no', '')}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    name = case.get("applicant_name_masked") or case.get("applicant_name") or "申请人"
    paragraphs = [
        f"{name}：",
        f"你于{str(case.get('submitted_at') or '')[:10]}提出的{case.get('housing_type_name') or '保障性住房'}申请"
        f"（{case.get('district') or ''}），经{outcome.get('step') or '审核'}，决定不予通过。",
        f"理由：{outcome.get('reason_text') or ''}",
    ]
    rules = [r.get("reason") for r in outcome.get("rules") or [] if isinstance(r, dict) and r.get("reason")]
    if rules:
        paragraphs.append("不符合的准入条件：" + "；".join(f"{i}. {r}" for i, r in enumerate(rules, start=1)) + "。")
    paragraphs.append(
        f"如对本决定不服，可以自知道该决定之日起{remedies.get('review_days', 60)}日内向"
        f"{remedies.get('review_body') or '作出决定机关的上一级机关'}申请行政复议，也可以自知道或者应当知道该决定之日起"
        f"{remedies.get('litigation_months', 6)}个月内向{remedies.get('court') or '有管辖权的人民法院'}提起行政诉讼。")
    for text in paragraphs:
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(10)
    pdf.cell(0, 8, remedies.get("issuer") or "", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
