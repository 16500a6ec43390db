"""Checking an import sheet before anything starts: applications, accounts, the importer's district.

Every problem lands on the row and column it came from, so the report says "row 4, 申请人账号:
账号“x”不存在" rather than failing the upload. An application with any problem starts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app import claims
from app.auth.identity import Identity
from app.db import db
from app.models import User
from app.services import forms
from app.services.batch_import_rows import APPLICATION_FORM, COLUMNS, Row, column_properties, convert, label_maps
from app.services.case_service import in_district
from app.services.errors import ValidationFailed

APPLICANT_ROLE = "applicant"
_PATH_TO_KEY = {path.replace(".*", ""): key for key, _t, path in COLUMNS if path}
TITLES = {key: title for key, title, _p in COLUMNS}
#: what a cell that does not match the form's pattern should hold
PATTERN_HINTS = {"id_number": "应为 18 位身份证号码（前 17 位数字，末位为数字或 X）",
                 "phone": "应为 11 位手机号码（1 开头）"}
#: the form's message prefix → (schema keyword, what to say)
LIMIT_HINTS = {"太短": ("minLength", "至少 {} 个字"), "太长": ("maxLength", "最多 {} 个字"),
               "太小": ("minimum", "不能小于 {}"), "太大": ("maximum", "不能大于 {}")}


@dataclass
class Checked:
    """The rows of one application (rows sharing an 申请序号) and the form built from them."""

    sequence: str
    rows: list[Row]
    head: Row | None = None
    form: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return bool(self.form) and not any(r.errors for r in self.rows)

    @property
    def account(self) -> str:
        return self.head.values["account"] if self.head else ""


def check_sheet(identity: Identity, rows: list[Row]) -> list[Checked]:
    """Group the rows into applications and check each; problems go to the rows' ``errors``."""
    labels = label_maps()
    groups: dict[str, Checked] = {}
    for row in rows:
        if not row.values["group"]:
            row.error("group", "必填：同一申请的成员填写相同的申请序号")
            continue
        groups.setdefault(row.values["group"], Checked(row.values["group"], [])).rows.append(row)
    applications = list(groups.values())
    users = _accounts({r.values["account"] for r in rows})
    used: dict[str, int] = {}
    for application in applications:
        values = [convert(r, labels) for r in application.rows]
        heads = [i for i, v in enumerate(values) if v.get("relation") == "applicant"]
        if len(heads) != 1:
            application.rows[0].error("relation", "每个申请须有且只有一行“申请人本人”")
            continue
        application.head = application.rows[heads[0]]
        _check_account(application, users, used)
        _check_scope(identity, application.head)
        _check_duplicate_members(application.rows)
        if any(r.errors for r in application.rows):
            continue
        application.form = _form(values[heads[0]], values)
        try:
            forms.validate_submission(APPLICATION_FORM, application.form)
        except ValidationFailed as exc:
            _place(application, exc.errors)
    _check_open_applications(applications)
    return applications


def _place(application: Checked, errors: dict[str, list[str]]) -> None:
    """Form-level errors onto the application's rows; the application starts nothing."""
    assert application.head is not None
    by_number = {r.number: r for r in application.rows}
    for number, key, message in locate(errors, list(by_number), application.head.number):
        by_number[number].error(key, readable(key, message))
    application.form = {}


def _check_open_applications(applications: list[Checked]) -> None:
    """One open application per ID number and housing type: not if one is open already, nor twice
    in the sheet (the later application is refused; see :mod:`app.claims`)."""
    first: dict[tuple[str, str], int] = {}
    with db.session() as session:
        for application in applications:
            if not application.valid or application.head is None:
                continue
            housing_type, numbers = application.form["housing_type"], claims.form_numbers(application.form)
            try:
                claims.check_free(session, housing_type, numbers)
            except claims.DuplicateApplication as exc:
                _place(application, exc.errors)
                continue
            for path, number in numbers.items():
                row = first.setdefault((housing_type, number), application.head.number)
                if row != application.head.number:
                    message = f"同一身份证号码已在第 {row} 行的申请中，同一住房类型只能有一个在办申请"
                    _place(application, {path: [message]})
                    break


def _accounts(names: set[str]) -> dict[str, User]:
    names = {n for n in names if n}
    if not names:
        return {}
    with db.session() as session:
        return {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}


def _check_account(application: Checked, users: dict[str, User], used: dict[str, int]) -> None:
    """The head row names an active applicant account, used by no other application in the sheet."""
    head = application.head
    assert head is not None
    for row in application.rows:
        if row is not head and row.values["account"]:
            row.error("account", "申请人账号只填在“申请人本人”一行")
    account = head.values["account"]
    if not account:
        head.error("account", "必填：申请人在本系统的登录账号（立案后由申请人本人确认选房、签约）")
        return
    user = users.get(account)
    if user is None:
        head.error("account", f"账号“{account}”不存在，请申请人先注册，或核对账号")
    elif not user.active:
        head.error("account", f"账号“{account}”已停用")
    elif APPLICANT_ROLE not in (user.roles or []):
        head.error("account", f"账号“{account}”不是申请人账号")
    elif account in used:
        head.error("account", f"账号“{account}”已用于第 {used[account]} 行的申请")
    else:
        used[account] = head.number


def _check_scope(identity: Identity, head: Row) -> None:
    """Staff of one district import only that district's applications."""
    district = head.values["district"]
    if district and not in_district(identity, district):
        head.error("district", f"您只能导入{identity.district}的申请，本行为“{district}”")


def _check_duplicate_members(rows: list[Row]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        number = row.values["id_number"]
        if number and number in seen:
            row.error("id_number", f"同一身份证号码已在第 {seen[number]} 行填写")
        seen.setdefault(number, row.number)


def _form(head: dict, values: list[dict]) -> dict:
    member_keys = ("name", "id_number", "relation", "monthly_income", "employer")
    members = [{k: v[k] for k in member_keys if v.get(k) not in ("", None)} for v in values]
    applicant = {"name": head["name"], "id_number": head["id_number"], "phone": head["phone"]}
    if head.get("address"):
        applicant["address"] = head["address"]
    declared = {k: head[k] for k in ("deposits", "securities", "vehicles", "owns_property", "business")
                if head.get(k) not in ("", None)}
    return {"housing_type": head["housing_type"], "district": head["district"], "applicant": applicant,
            "household": {"type": head["household_type"], "members": members}, "declared": declared,
            "authorization": head["authorization"]}


def readable(key: str, message: str) -> str:
    """A schema check's message (``格式不正确``, ``太短`` …) as the sheet's user should read it: what the
    column must hold, with the form's own limit."""
    if message == "格式不正确" and key in PATTERN_HINTS:
        return PATTERN_HINTS[key]
    keyword, text = LIMIT_HINTS.get(message, ("", ""))
    prop = column_properties().get(key) or {}
    return text.format(prop[keyword]) if keyword in prop else message


def locate(errors: dict[str, list[str]], row_numbers: list[int], head_row: int) -> list[tuple[int, str, str]]:
    """Form-level errors as ``(row number, column key, message)``.

    ``household.members.<i>.…`` belongs to the i-th row of the application; everything else to
    the applicant's row (``group`` when no column matches).
    """
    out: list[tuple[int, str, str]] = []
    for path, messages in (errors or {}).items():
        parts = path.split(".")
        number = head_row
        if parts[:2] == ["household", "members"] and len(parts) > 2 and parts[2].isdigit():
            index = int(parts[2])
            number = row_numbers[index] if index < len(row_numbers) else head_row
            parts = parts[:2] + parts[3:]
        key = _PATH_TO_KEY.get(".".join(parts), "group")
        out.extend((number, key, message) for message in messages)
    return out
