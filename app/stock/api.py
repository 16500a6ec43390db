"""``/api/v1/stock``: units (list, add, edit, status), the CSV/XLSX import, vacancy figures.

City and district housing staff (``city_reviewer``, ``district_reviewer``) and admins; district
staff see and change only their own district. Problems per field (422) are in Chinese.
"""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.api.auth import current_identity, requires
from app.api.input_guard import refuse_unstorable_input
from app.api.openapi import operation
from app.api.schemas import _file
from app.services.errors import ValidationFailed
from app.stock import service
from app.stock.catalogue import HOUSING_TYPES, LAYOUTS, RENT_BASES, STATUSES

bp = Blueprint("api_stock", __name__, url_prefix="/api/v1/stock")
bp.before_request(refuse_unstorable_input)
ROLES = ("city_reviewer", "district_reviewer", "admin")



class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Bool(fields.Boolean):
    """JSON true or false only (not 0, 1 or "yes")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("应为 true 或 false")
        return value


class _Number(fields.Float):
    """A JSON number only (not a numeric string, not a boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("应为数字")
        return super()._deserialize(value, attr, data, **kwargs)


class _Int(fields.Integer):
    """A JSON integer only."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("应为整数")
        return super()._deserialize(value, attr, data, **kwargs)


class UnitQuery(_Strict):
    district = fields.String(validate=validate.Length(max=64))
    housing_type = fields.String(validate=validate.OneOf(list(HOUSING_TYPES)))
    layout = fields.String(validate=validate.OneOf(list(LAYOUTS)))
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    limit = fields.Integer(load_default=service.MAX_LIST, validate=validate.Range(min=1, max=service.MAX_LIST))


class UnitBody(_Strict):
    """A unit as added or edited (the code is the path's when editing)."""

    code = fields.String(validate=validate.Length(min=2, max=32), metadata={"description": "required when adding"})
    project = fields.String(required=True, validate=validate.Length(min=2, max=100), metadata={"description": "小区"})
    district = fields.String(required=True, validate=validate.Length(min=2, max=64))
    address = fields.String(required=True, validate=validate.Length(min=4, max=200))
    building = fields.String(required=True, validate=validate.Length(min=1, max=32))
    room_no = fields.String(required=True, validate=validate.Length(min=1, max=16))
    housing_type = fields.String(required=True, validate=validate.OneOf(list(HOUSING_TYPES)))
    layout = fields.String(required=True, validate=validate.OneOf(list(LAYOUTS)))
    usable_area = _Number(required=True, validate=validate.Range(min=5, max=500))
    floor = _Int(required=True, validate=validate.Range(min=-3, max=120))
    rent_basis = fields.String(load_default="per_m2", validate=validate.OneOf(list(RENT_BASES)))
    rent_rate = _Number(required=True, validate=validate.Range(min=0, max=100000),
                             metadata={"description": "CNY per m² per month (per_m2), or per month (fixed)"})
    has_lift = _Bool(load_default=False)
    facilities = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list,
                             validate=validate.Length(max=20), metadata={"description": "facilities and transport"})


class StatusBody(_Strict):
    status = fields.String(required=True, validate=validate.OneOf(list(STATUSES)))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class ImportUpload(Schema):
    file = _file("the filled-in template, .csv (UTF-8 or GB18030) or .xlsx")


class Unit(Schema):
    code = fields.String(required=True)
    project = fields.String(required=True)
    building = fields.String(required=True)
    room_no = fields.String(required=True)
    address = fields.String(required=True)
    district = fields.String(required=True)
    housing_type = fields.String(required=True)
    layout = fields.String(required=True)
    rooms = fields.Integer(required=True)
    usable_area = fields.Float(required=True)
    floor = fields.Integer(required=True)
    rent_basis = fields.String(required=True)
    rent_rate = fields.Float(required=True)
    monthly_rent = fields.Float(required=True)
    facilities = fields.List(fields.String(), required=True)
    has_lift = fields.Boolean(required=True)
    accessible = fields.Boolean(required=True, metadata={"description": "a lift, or the ground floor"})
    status = fields.String(required=True, metadata={"description": " | ".join(STATUSES)})
    held_by = fields.String(required=True, metadata={"description": "application number of the offer or lease"})
    updated_at = fields.String(required=True)


class StatusChange(Schema):
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    actor = fields.String(required=True)
    reason = fields.String(required=True)
    ref = fields.String(required=True)
    changed_at = fields.String(required=True)


class UnitDetail(Unit):
    history = fields.List(fields.Nested(StatusChange), required=True)


class Units(Schema):
    items = fields.List(fields.Nested(Unit), required=True)


class ImportProblem(Schema):
    row = fields.Integer(required=True, metadata={"description": "row number in the file (the header is row 1)"})
    column = fields.String(required=True)
    message = fields.String(required=True)


class ImportResult(Schema):
    created = fields.List(fields.String(), required=True)
    rows = fields.Integer(required=True)
    problems = fields.List(fields.Nested(ImportProblem), required=True)


class VacancyRow(Schema):
    district = fields.String(required=True)
    housing_type = fields.String(required=True)
    total = fields.Integer(required=True)
    vacant = fields.Integer(required=True)
    reserved = fields.Integer(required=True)
    let = fields.Integer(required=True)
    repair = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    vacancy_rate = fields.Float(required=True, metadata={"description": "vacant / total, in %"})


class Vacancy(Schema):
    district = fields.String(required=True)
    rows = fields.List(fields.Nested(VacancyRow), required=True)
    totals = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class VacancyQuery(_Strict):
    district = fields.String(validate=validate.Length(max=64))


@bp.get("/units")
@requires(*ROLES)
@operation("Units of the stock, by district, housing type, layout and status", tag="stock", query=UnitQuery,
           responses={200: Units})
def list_units():
    q = UnitQuery().load(request.args.to_dict())
    limit = q.pop("limit")
    return {"items": service.list_units(current_identity(), service.Filters(**q), limit)}


@bp.post("/units")
@requires(*ROLES)
@operation("Add a unit (vacant)", tag="stock", body=UnitBody, responses={201: UnitDetail})
def add_unit():
    body = UnitBody().load(request.get_json(silent=True) or {})
    return service.add_unit(current_identity(), body), 201


@bp.get("/units/<code>")
@requires(*ROLES)
@operation("One unit with its status history", tag="stock", responses={200: UnitDetail})
def get_unit(code: str):
    return service.get_unit(current_identity(), code)


@bp.put("/units/<code>")
@requires(*ROLES)
@operation("Change a unit's data (not its status)", tag="stock", body=UnitBody, responses={200: UnitDetail})
def edit_unit(code: str):
    body = UnitBody().load(request.get_json(silent=True) or {})
    body.pop("code", None)
    return service.edit_unit(current_identity(), code, body)


@bp.post("/units/<code>/status")
@requires(*ROLES)
@operation("Take a vacant unit off the market (repair, withdrawn) or put it back", tag="stock", body=StatusBody,
           responses={200: UnitDetail}, errors=(409,),
           description="Reserved and let come only from offers and signed leases; a declined offer and an exit "
                       "free the unit.")
def set_status(code: str):
    body = StatusBody().load(request.get_json(silent=True) or {})
    return service.set_status(current_identity(), code, body["status"], body["reason"])


@bp.post("/imports")
@requires(*ROLES)
@operation("Import units from a CSV or XLSX sheet (multipart field 'file'); every problem by row", tag="stock",
           multipart=ImportUpload, responses={200: ImportResult})
def import_units():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("请选择要上传的文件", errors={"file": ["请选择要上传的文件"]})
    from app.services.batch_import_rows import MAX_BYTES

    return service.import_units(current_identity(), upload.filename, upload.stream.read(MAX_BYTES + 1))


@bp.get("/vacancy")
@requires(*ROLES)
@operation("Unit counts by district, housing type and status, with the vacancy rate", tag="stock",
           query=VacancyQuery, responses={200: Vacancy})
def vacancy():
    q = VacancyQuery().load(request.args.to_dict())
    return service.vacancy(current_identity(), q.get("district", ""))
