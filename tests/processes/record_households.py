"""Record the sandbox's answers for every fixture household as scenario stubs.

    .venv/bin/python -m tests.processes.record_households

writes ``processes/households/<key>.json``: the application ``form`` the household would submit,
the process ``data`` it starts with, and ``operators``: each data source's answer to
``<source>/check`` for the declared members (evidence left out). Scenarios include these files
so the diagrams run on realistic findings without the network. Re-record after the fixture
households change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from app.services.case_service import build_process_data
from connectors.sandbox import fixtures
from connectors.testing import run_operator, running_sandbox, sandbox_settings

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "processes" / "stubs" / "households"
SOURCES = ("hukou", "residence_permit", "marriage", "subsistence", "family_assets", "social_insurance",
           "medical_insurance", "housing_fund", "real_estate", "housing_contracts", "vehicles", "business",
           "tax", "disability")
DOCUMENTS = {"gongzufang": ["id_card", "hukou_book", "income_proof", "housing_statement"],
             "baozufang": ["id_card", "residence_permit", "labour_contract", "housing_statement"]}
SUBMITTED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def application_form(household: dict) -> dict:
    """The application form a fixture household would submit."""
    declared = household["declared"]
    members = declared["members"]
    applicant = members[0]
    kinds = list(DOCUMENTS[household["housing_type"]])
    if any(m["relation"] == "spouse" for m in members):
        kinds.append("marriage_certificate")
    return {
        "housing_type": household["housing_type"],
        "district": household["district"],
        "applicant": {"name": applicant["name"], "id_number": applicant["id_number"], "phone": declared["phone"],
                      "address": declared["address"]},
        "household": {
            "type": {"eligible_single": "single"}.get(household["key"]) or _type(members),
            "members": [{"name": m["name"], "id_number": m["id_number"], "relation": m["relation"],
                         "monthly_income": m.get("monthly_income") or 0, "employer": m.get("employer") or ""}
                        for m in members],
            "youfu": False,
            "current_housing_area": 0,
        },
        "declared": {"deposits": 0, "vehicles": 0, "owns_property": False, "business": False},
        "documents": [{"kind": k, "name": f"{k}.pdf"} for k in kinds],
        "authorization": True,
    }


def _type(members: list[dict]) -> str:
    relations = {m["relation"] for m in members}
    if "parent" in relations:
        return "multi_generation"
    return "single" if len(members) == 1 else "nuclear"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with running_sandbox(latency_seconds=0.0) as (base_url, _admin):
        settings = sandbox_settings(base_url)
        for index, household in enumerate(fixtures.households(), start=1):
            form = application_form(household)
            prefix = "GZF" if household["housing_type"] == "gongzufang" else "BZF"
            number = f"{prefix}2026-9{index:05d}"
            data = build_process_data(form, f"demo_{household['key']}", number, SUBMITTED_AT)
            members = fixtures.declared_members(household["key"])
            operators = {}
            for source in SOURCES:
                result = run_operator(f"{source}/check", {"members": members}, settings)
                result["evidence"] = []
                operators[f"{source}/check"] = {"result": result}
            document = {"household": household["key"], "label": household["label"],
                        "expected": {k: v for k, v in household["expected"].items() if k != "members"},
                        "form": form, "data": data, "operators": operators}
            path = OUT / f"{household['key']}.json"
            path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
