"""Bank / payment-platform files: one payment per row, checked row by row.

The file is CSV (UTF-8, with or without BOM, or GBK as banks export it) with a header row in
Chinese or English: 交易流水号 / reference, 合同编号 / lease_no, 金额 / amount, 到账日期 / paid_on,
备注 / note (optional). Good rows are stored; each bad row gets a Chinese message with its line
number and nothing of it is stored. A reference already stored is a duplicate, not an error, so a
file imported twice — or fixed and imported again — adds each payment once.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.l10n import Message
from app.ledger import bills as b
from app.ledger.models import LedgerPayment
from app.ledger.service import add_payment, is_ledger_staff, lock_references, parse_amount, parse_day
from app.models import Application, Lease
from app.services.case_service import can_view
from app.services.errors import Forbidden, ValidationFailed

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
HEADERS = {"交易流水号": "reference", "流水号": "reference", "reference": "reference",
           "合同编号": "lease_no", "lease_no": "lease_no",
           "金额": "amount", "金额（元）": "amount", "金额(元)": "amount", "amount": "amount",
           "到账日期": "paid_on", "交易日期": "paid_on", "paid_on": "paid_on",
           "备注": "note", "摘要": "note", "note": "note"}
REQUIRED = {"reference": "交易流水号", "lease_no": "合同编号", "amount": "金额", "paid_on": "到账日期"}


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK, as the batch import of applications reads them."""
    from app.services.batch_import_rows import SheetError
    from app.services.batch_import_rows import _decode as decode_sheet

    try:
        return decode_sheet(content)
    except SheetError:
        raise ValidationFailed("文件无法读取：请保存为 UTF-8 或 GBK 编码的 CSV 文件",
                               {"file": ["文件编码无法识别"]}) from None


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """(line number, {field: text}) for every non-empty row; a readable error for a bad file."""
    if not content.strip():
        raise ValidationFailed("文件是空的", {"file": ["文件是空的"]})
    if len(content) > MAX_BYTES:
        raise ValidationFailed("文件超过2MB，请分批导入", {"file": ["文件超过2MB"]})
    reader = csv.reader(io.StringIO(_decode(content)))
    try:
        header = next(reader)
        names = [HEADERS.get(h.strip().lower() if h.strip().isascii() else h.strip()) for h in header]
        missing = [label for key, label in REQUIRED.items() if key not in names]
        if missing:
            problem = Message("ledger.header_missing", columns="、".join(missing))
            raise ValidationFailed(problem, {"file": [problem]})
        rows: list[tuple[int, dict]] = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed(Message("import.too_many_rows", n=MAX_ROWS),
                                       {"file": [Message("import.over_rows", n=MAX_ROWS)]})
            row = {n: v.strip() for n, v in zip(names, values, strict=False) if n}
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        malformed = Message("ledger.csv_malformed", error=str(exc))
        raise ValidationFailed("文件不是有效的 CSV 文件", {"file": [malformed]}) from None
    return rows


def import_payments(identity: Identity, content: bytes) -> dict:
    """Store the file's good rows; report bad rows and references already stored."""
    if not is_ledger_staff(identity):
        raise Forbidden("只有配租管理人员可以导入缴费文件")
    rows = read_rows(content)
    imported: list[dict] = []
    duplicates: list[dict] = []
    errors: list[dict] = []
    seen: set[str] = set()
    with db.transaction() as session:
        lock_references(session)
        for line, row in rows:
            reference, lease_no = row.get("reference", ""), row.get("lease_no", "")
            problems = []
            if not reference:
                problems.append("缺少交易流水号")
            elif len(reference) > 64:
                problems.append("交易流水号超过64个字符")
            amount = parse_amount(row.get("amount", ""))
            if amount is None:
                problems.append(f"金额“{row.get('amount', '')}”无效，应为大于0、最多两位小数的数字")
            paid_on = parse_day(row.get("paid_on", ""))
            if paid_on is None:
                problems.append(f"到账日期“{row.get('paid_on', '')}”无效，应为 2026-12-05 格式")
            elif paid_on > b.today():
                problems.append("到账日期晚于今天")
            lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no)) if lease_no else None
            case = session.get(Application, lease.application_id) if lease else None
            if lease is None or case is None or not can_view(identity, case):
                problems.append(f"合同编号“{lease_no}”不存在" if lease_no else "缺少合同编号")
            elif lease.status not in ("active", "ended"):
                problems.append(f"合同 {lease_no} 尚未入住，不能入账")
            if problems:
                errors.append({"line": line, "reference": reference, "message": "；".join(problems)})
                continue
            if reference in seen or session.scalar(select(LedgerPayment.id)
                                                   .where(LedgerPayment.reference == reference)):
                duplicates.append({"line": line, "reference": reference, "message": "该流水号已入账，已跳过"})
                continue
            seen.add(reference)
            assert lease is not None and amount is not None and paid_on is not None
            add_payment(session, identity.username, lease, amount, paid_on, "bank", reference, row.get("note", ""))
            imported.append({"line": line, "reference": reference, "lease_no": lease_no, "amount": float(amount)})
    return {"imported": imported, "duplicates": duplicates, "errors": errors, "rows": len(rows)}
