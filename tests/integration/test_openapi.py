"""The OpenAPI document matches the routes the app serves."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


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
    assert echo["retry"]["max_attempts"] == 3
