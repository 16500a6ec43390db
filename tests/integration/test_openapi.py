"""The OpenAPI document matches the routes the app serves."""

from __future__ import annotations

import io
import re

from openapi_spec_validator import validate

from app.api import input_guard
from app.web.i18n import EN


def test_every_api_route_is_documented_and_nothing_else(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    assert served == documented


def test_operators_are_listed_with_parameter_schemas(client, auth):
    items = client.get("/api/v1/operators", headers=auth()).get_json()["items"]
    echo = next(i for i in items if i["name"] == "test/echo")
    assert echo["parameters"]["required"] == ["value"]
    assert echo["retry"]["max_attempts"] == 3 and echo["inline"] is False
    # the case record is an internal handler the step runs itself; a data source never is
    flags = {i["name"]: i["inline"] for i in items}
    assert flags["case/update"] is True and flags["hukou/check"] is False


def test_the_document_is_built_from_decorated_views_only():
    """A route without ``@operation`` is left out of the document, so the test above fails for it."""
    from flask import Blueprint, Flask

    from app.api.openapi import build, operation
    from app.api.responses import Me

    app = Flask(__name__)
    bp = Blueprint("api", __name__, url_prefix="/api/v1")

    @bp.get("/documented/<int:item_id>")
    @operation("Documented", tag="t", responses={200: Me})
    def documented(item_id):
        return {"username": "u", "secret": "dropped"}

    @bp.get("/forgotten")
    def forgotten():
        return {}

    app.register_blueprint(bp)
    spec = build(app, "/api/v1")
    assert list(spec["paths"]) == ["/documented/{item_id}"]
    op = spec["paths"]["/documented/{item_id}"]["get"]
    assert op["parameters"][0]["schema"]["type"] == "integer"
    assert {"401", "403", "404", "429", "500"} <= set(op["responses"])
    assert app.test_client().get("/api/v1/documented/1").get_json() == {"username": "u"}  # dumped: no secret


def test_every_error_status_is_a_documented_problem(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    seen = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    seen.add(int(status))
                    assert response["content"] == {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}}}, (path, method, status)
                else:
                    assert list(response["content"]) == ["application/json"], (path, method, status)
            if op.get("security") != []:
                assert {"401", "403"} <= set(op["responses"]), (path, method)
    assert {401, 403, 404, 409, 413, 422, 429, 500} <= seen
    limit = next(p for p in spec["paths"]["/tasks"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 200)
    supplement = spec["paths"]["/applications/{application_no}/supplement"]["post"]["requestBody"]["content"]
    upload = spec["components"]["schemas"][supplement["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"documents.0.file", "documents.0.kind", "note"} <= set(upload["properties"])


def test_a_wrong_method_names_the_allowed_ones(client, auth):
    response = client.delete("/api/v1/tasks", headers=auth())
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    assert "GET" in response.get_json()["allowed"]


def test_a_flag_that_is_not_a_boolean_is_refused(client, auth):
    response = client.get("/api/v1/process-instances/nothing?full_ids=0.07", headers=auth())
    assert response.status_code == 422
    assert "full_ids" in response.get_json()["errors"]


def test_nul_characters_are_refused_before_they_reach_the_database(client, auth):
    in_path = client.get("/api/v1/process-instances/a%00b", headers=auth())
    assert in_path.status_code == 404 and in_path.mimetype == "application/problem+json"
    in_query = client.get("/api/v1/tasks?business_key=a%00b", headers=auth())
    assert in_query.status_code == 422
    assert in_query.get_json()["errors"] == {"business_key": [input_guard.MESSAGE]}
    in_body = client.post("/api/v1/messages", headers=auth(), json={"name": "m", "payload": {"note": "x\u0000"}})
    assert in_body.status_code == 422
    assert list(in_body.get_json()["errors"]) == ["payload.note"]
    surrogate = client.post("/api/v1/process-instances", headers={**auth(), "Content-Type": "application/json"},
                            data='{"process_key": "\\ud800"}')
    assert surrogate.status_code == 422 and list(surrogate.get_json()["errors"]) == ["process_key"]
    in_form = client.post("/api/v1/process-definitions", headers=auth(), content_type="multipart/form-data",
                          data={"comment": "a\u0000", "files": [(io.BytesIO(b"<x/>"), "a.bpmn")]})
    assert in_form.status_code == 422 and list(in_form.get_json()["errors"]) == ["comment"]


def test_a_page_refuses_a_nul_character_with_a_readable_page(client):
    in_path = client.get("/lang/e%00n")
    assert in_path.status_code == 404 and input_guard.NO_RECORD in in_path.get_data(as_text=True)

    response = client.get("/publicity?district=%00")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert "提交的内容不符合要求" in page and input_guard.REFUSED in page
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get("/publicity?district=%00").get_data(as_text=True)
    assert EN[input_guard.REFUSED] in english and EN[input_guard.MESSAGE] in english
