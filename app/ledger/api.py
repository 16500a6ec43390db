"""``/api/v1/ledger``: a lease's ledger, payments entered by staff, bank files imported."""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import RAISE, Schema, fields, validate

from app.api.auth import current_identity, requires
from app.api.input_guard import refuse_unstorable_input
from app.api.openapi import operation
from app.ledger import imports, service
from app.services.errors import ValidationFailed

bp = Blueprint("api_ledger", __name__, url_prefix="/api/v1/ledger")
bp.before_request(refuse_unstorable_input)
STAFF = ("admin", "reviewer", "district_reviewer", "city_reviewer", "dept_reviewer")



class PaymentRequest(Schema):
    class Meta:
        unknown = RAISE

    amount = fields.String(required=True, validate=validate.Length(min=1, max=20),
                           metadata={"description": "yuan, at most two decimals, e.g. \"500.00\""})
    paid_on = fields.String(required=True, validate=validate.Length(min=1, max=20),
                            metadata={"description": "YYYY-MM-DD, not after today"})
    method = fields.String(load_default="counter", validate=validate.OneOf(service.STAFF_METHODS))
    reference = fields.String(load_default="", validate=validate.Length(max=64),
                              metadata={"description": "bank transaction reference; one payment per reference"})
    note = fields.String(load_default="", validate=validate.Length(max=200))


class PaymentFile(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary",
                                "description": "CSV: 交易流水号, 合同编号, 金额, 到账日期[, 备注] (UTF-8 or GBK)"})


class Bill(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "deposit | rent"})
    kind_name = fields.String(required=True)
    period = fields.String(required=True)
    due_on = fields.String(required=True)
    amount = fields.Float(required=True)
    paid_amount = fields.Float(required=True)
    owed = fields.Float(required=True)
    status = fields.String(required=True, metadata={"description": "unpaid | partial | paid | offset | cancelled"})
    status_name = fields.String(required=True)
    overdue = fields.Boolean(required=True)
    paid_on = fields.String(allow_none=True)
    reminders = fields.Integer(required=True)


class Payment(Schema):
    id = fields.Integer(required=True)
    amount = fields.Float(required=True)
    paid_on = fields.String(required=True)
    method = fields.String(required=True, metadata={"description": "counter | transfer | bank | deposit_offset"})
    method_name = fields.String(required=True)
    reference = fields.String(allow_none=True)
    note = fields.String(metadata={"description": "staff only"})


class Ledger(Schema):
    lease_no = fields.String(required=True)
    application_no = fields.String(required=True)
    applicant_name = fields.String(required=True)
    unit_address = fields.String(required=True)
    district = fields.String(required=True)
    status = fields.String(required=True)
    monthly_rent = fields.Float(required=True)
    deposit = fields.Float(required=True)
    deposit_held = fields.Float(required=True)
    deposit_refund = fields.Float(allow_none=True)
    arrears_months = fields.Integer(required=True)
    arrears_amount = fields.Float(required=True)
    bills = fields.List(fields.Nested(Bill), required=True)
    payments = fields.List(fields.Nested(Payment), required=True)


class ImportRow(Schema):
    line = fields.Integer(required=True)
    reference = fields.String(required=True)
    lease_no = fields.String()
    amount = fields.Float()
    message = fields.String(metadata={"description": "Chinese: why the row was skipped or refused"})


class ImportReport(Schema):
    rows = fields.Integer(required=True)
    imported = fields.List(fields.Nested(ImportRow), required=True)
    duplicates = fields.List(fields.Nested(ImportRow), required=True)
    errors = fields.List(fields.Nested(ImportRow), required=True)


@bp.get("/leases/<lease_no>")
@requires()
@operation("A lease's rent ledger: bills from its schedule, payments, arrears in months", tag="ledger",
           responses={200: Ledger})
def ledger(lease_no: str):
    return service.lease_ledger(current_identity(), lease_no)


@bp.post("/leases/<lease_no>/payments")
@requires(*STAFF)
@operation("Record a payment taken at the counter or seen on the account (allocation officers)", tag="ledger",
           body=PaymentRequest, responses={201: Ledger})
def record_payment(lease_no: str):
    body = PaymentRequest().load(request.get_json(silent=True) or {})
    return service.record_payment(current_identity(), lease_no, body), 201


@bp.post("/imports")
@requires(*STAFF)
@operation("Import a bank / payment-platform CSV file: good rows stored, bad rows reported, references once",
           tag="ledger", multipart=PaymentFile, responses={200: ImportReport})
def import_file():
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed("请以 multipart 字段 file 上传 CSV 文件", {"file": ["缺少文件"]})
    return imports.import_payments(current_identity(), upload.read())
