"""The properties panel's choices: operators, forms, deployed definitions, groups."""

from __future__ import annotations

from app.services import modeler_service


def test_catalog_lists_operators_forms_definitions_and_groups(modeler_app):
    catalog = modeler_service.catalog()
    echo = next(o for o in catalog["operators"] if o["name"] == "test/echo")
    assert echo["parameters"]["required"] == ["value"]
    review = next(f for f in catalog["forms"] if f["file"] == "review.schema.json")
    assert review == {"file": "review.schema.json", "title": "审核", "ui_schema": "review.uischema.json"}
    assert not any(f["file"].endswith(".uischema.json") for f in catalog["forms"])
    assert [p["key"] for p in catalog["processes"]] == ["gzf_trial"]
    assert [d["key"] for d in catalog["decisions"]] == ["gzf_income_line"]
    assert {"street_reviewer", "district_reviewer", "dept_minzheng"} <= set(catalog["groups"])
