"""A panel's tables as an XLSX workbook (openpyxl): one sheet per table, headings in row 1."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter


def workbook(panel: dict, translate=lambda s: s) -> bytes:
    """The bytes of an .xlsx file holding every table of ``panel``, plus a sheet naming its filters."""
    book = Workbook()
    about = book.active
    about.title = translate("说明")[:31]
    about.append([translate("统计分析"), translate(panel["title"])])
    for key in ("start", "end", "district", "housing_type"):
        about.append([key, panel["filters"][key]])
    about.append(["refreshed_at", panel["refreshed_at"] or ""])
    for tbl in panel["tables"]:
        sheet = book.create_sheet(_sheet_name(translate(tbl["title"]), book.sheetnames))
        sheet.append([translate(c["label"]) for c in tbl["columns"]])
        for row in tbl["rows"]:
            sheet.append([_cell(row.get(c["key"]), translate) for c in tbl["columns"]])
        for i, column in enumerate(tbl["columns"], start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(10, len(translate(column["label"])) * 2)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value, translate):
    if isinstance(value, str):
        value = translate(value)
        return "'" + value if value[:1] in ("=", "+", "-", "@") else value  # never a formula
    return value


def _sheet_name(title: str, taken: list[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "sheet"
    n = 2
    while name in taken:
        name = f"{name[:28]}-{n}"
        n += 1
    return name
