"""The batch-import sheet: its columns, reading CSV / XLSX, and turning rows into applications.

One row per household member; rows sharing an 申请序号 form one application, and the row whose
relation is 申请人本人 carries the applicant's login account (申请人账号), phone and address: the
case belongs to that account, which answers the offer and signs the lease in the portal. Choices are written as the
application form shows them (公租房, 核心家庭, 配偶 …): the labels come from the form's own
``enumNames``, so the sheet follows the form when policy staff change it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from app.l10n import Message
from app.services import forms
from connectors.base.identity import check_digit, is_valid_id_number

APPLICATION_FORM = "application.schema.json"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
YES = {"是", "有", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "n", "no", "false", "0", ""}

#: key, column title, where it goes in the application form
COLUMNS = [
    ("group", "申请序号", None),
    ("housing_type", "申请类型", "housing_type"),
    ("district", "申请区县", "district"),
    ("household_type", "家庭类型", "household.type"),
    ("name", "成员姓名", "household.members.*.name"),
    ("id_number", "身份证号码", "household.members.*.id_number"),
    ("relation", "与申请人关系", "household.members.*.relation"),
    ("monthly_income", "月收入（元）", "household.members.*.monthly_income"),
    ("employer", "工作单位", "household.members.*.employer"),
    ("phone", "申请人手机号码", "applicant.phone"),
    ("account", "申请人账号", None),
    ("address", "现居住地址", "applicant.address"),
    ("deposits", "存款（元）", "declared.deposits"),
    ("securities", "有价证券（元）", "declared.securities"),
    ("vehicles", "机动车（辆）", "declared.vehicles"),
    ("owns_property", "名下有住房", "declared.owns_property"),
    ("business", "开办或持股企业", "declared.business"),
    ("authorization", "已签署核查授权书", "authorization"),
]
TITLES = [c[1] for c in COLUMNS]
NUMBERS = {"monthly_income", "deposits", "securities"}
INTEGERS = {"vehicles"}
BOOLEANS = {"owns_property", "business", "authorization"}


class SheetError(ValueError):
    """The file cannot be read as an import sheet at all."""


@dataclass
class Row:
    """One sheet row: its number in the file (header is row 1), values, and errors per column."""

    number: int
    values: dict
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _id(first17: str) -> str:
    return first17 + check_digit(first17)


def template_rows() -> list[list[str]]:
    """The header and two example applications (a single person, a couple with a child).

    The accounts are the demo applicants; a real sheet names each applicant's own account.
    """
    return [TITLES,
            ["1", "公租房", "渝中区", "单身", "王小明", _id("50010319900307123"), "申请人本人", "3200", "某物业公司",
             "13800000001", "applicant", "渝中区解放碑街道", "20000", "0", "0", "否", "否", "是"],
            ["2", "保租房", "江北区", "核心家庭", "李华", _id("50010519920815234"), "申请人本人", "6000", "某科技公司",
             "13800000002", "applicant2", "江北区观音桥街道", "50000", "0", "0", "否", "否", "是"],
            ["2", "", "", "", "赵敏", _id("50010519930412456"), "配偶", "5000", "某医院"] + [""] * 9,
            ["2", "", "", "", "李小宝", _id("50010520200101345"), "子女", "0"] + [""] * 10]


def template_csv() -> bytes:
    """The template as UTF-8 CSV with a BOM (so spreadsheet programs read the Chinese right)."""
    return csv_bytes(template_rows())


def template_xlsx() -> bytes:
    """The template as an Excel workbook, with ID numbers stored as text."""
    return xlsx_bytes(template_rows(), "申请", ("F", "J"))


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows as UTF-8 CSV with a BOM (so spreadsheet programs read the Chinese right)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list[str]], title: str, text_columns: tuple[str, ...]) -> bytes:
    """Rows as an Excel workbook whose ``text_columns`` (letters) are stored as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for column in text_columns:
        for cell in sheet[column]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_sheet(filename: str, content: bytes, columns: list[tuple] | None = None) -> list[Row]:
    """The data rows of an uploaded CSV or XLSX; raises :class:`SheetError` for a bad file.

    ``columns`` (key, title, …) default to the application sheet's; other sheets (the housing
    stock's) pass their own.
    """
    columns = columns or COLUMNS
    titles = [c[1] for c in columns]
    name = filename.lower()
    if len(content) > MAX_BYTES:
        raise SheetError(Message("import.file_too_large", mb=MAX_BYTES // 1024 // 1024))
    if name.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise SheetError("不是有效的 XLSX 文件")
        table = _xlsx_rows(content)
    elif name.endswith(".csv"):
        table = list(csv.reader(io.StringIO(_decode(content))))
    else:
        raise SheetError("只接受 .csv 或 .xlsx 文件")
    if not table or [str(c or "").strip() for c in table[0][:len(titles)]] != titles:
        raise SheetError("表头与模板不一致，请下载模板后填写")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        cells = [str(c).strip() if c is not None else "" for c in cells]
        if not any(cells):
            continue
        rows.append(Row(number, {c[0]: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)}))
    if len(rows) > MAX_ROWS:
        raise SheetError(Message("import.too_many_rows", n=MAX_ROWS))
    if not rows:
        raise SheetError("文件中没有数据行")
    return rows


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("无法识别文件编码（请保存为 UTF-8 CSV）")


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SheetError(Message("import.xlsx_unreadable", error=type(exc).__name__)) from None
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return [[_cell(c) for c in r] for r in rows]


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def column_properties() -> dict[str, dict]:
    """Column key → its property in the application form's JSON Schema (columns the form has)."""
    schema = forms.load_form(APPLICATION_FORM)
    props = {key: _prop(schema, path) if path else None for key, _title, path in COLUMNS}
    return {key: prop for key, prop in props.items() if prop}


def label_maps() -> dict[str, dict[str, str]]:
    """Column key → {shown label → stored value}, from the application form's ``enumNames``."""
    out = {}
    for key, prop in column_properties().items():
        if "enum" in prop:
            names = prop.get("enumNames") or prop["enum"]
            out[key] = {str(n): v for n, v in zip(names, prop["enum"], strict=False)} | {v: v for v in prop["enum"]}
    return out


def _prop(schema: dict, path: str) -> dict | None:
    node = schema
    for part in path.split("."):
        node = node.get("items", {}) if part == "*" else (node.get("properties") or {}).get(part)
        if node is None:
            return None
    return node


def convert(row: Row, labels: dict[str, dict[str, str]]) -> dict:
    """The row's values typed and mapped to form values; problems go to ``row.errors``."""
    out = {}
    for key, value in row.values.items():
        if key in labels and value:
            if value not in labels[key]:
                row.error(key, f"“{value}”不是可选值（{'、'.join(k for k in labels[key] if not k.isascii())}）")
            out[key] = labels[key].get(value, value)
        elif key in NUMBERS | INTEGERS and value:
            try:
                out[key] = int(value) if key in INTEGERS else float(value)
            except ValueError:
                row.error(key, "应为数字")
        elif key == "id_number" and len(value) == 18 and not is_valid_id_number(value):
            row.error(key, "身份证号码校验位或出生日期不正确")
            out[key] = value
        elif key in BOOLEANS:
            if value.lower() not in YES | NO:
                row.error(key, "请填“是”或“否”")
            out[key] = value.lower() in YES
        else:
            out[key] = value
    return out
