"""Try before deploy: run the scenario files of a process against edited, undeployed files.

Scenario files are the ``<process>.scenarios.json`` files under ``processes/``, read by
:func:`app.engine.scenarios.load_scenarios` (includes merged). The edited files stand in for
their deployed versions; whatever else the process calls (sub-processes, decision tables) comes
from the newest deployed versions, exactly as a deploy would resolve it. An edited decision
table is tried on the scenarios of every deployed process that uses it.
"""

from __future__ import annotations

from pathlib import Path

from app.db import db
from app.engine.parser import Document
from app.engine.scenarios import load_scenarios, run_scenario
from app.services import context, definition_service
from app.services.errors import DeploymentInvalid

MAX_SCENARIOS = 200
SCENARIO_SUFFIX = ".scenarios.json"


def scenario_files(processes_dir: str | None = None) -> list[tuple[str, dict]]:
    """Every scenario of the ``*.scenarios.json`` files under ``processes/``, includes merged,
    as (file relative to ``processes/``, scenario)."""
    base = Path(processes_dir or context.settings().processes_dir)
    if not base.is_dir():
        return []
    out: list[tuple[str, dict]] = []
    for path in sorted(base.rglob(f"*{SCENARIO_SUFFIX}")):
        rel = path.relative_to(base).as_posix()
        out.extend((rel, s) for s in load_scenarios(path) if isinstance(s.get("process"), str))
    return out


def scenarios_for(process_keys: set[str]) -> list[tuple[str, dict]]:
    """The scenarios that drive one of ``process_keys``."""
    return [(f, s) for f, s in scenario_files() if s["process"] in process_keys][:MAX_SCENARIOS]


def _processes_using(decision_ids: set[str]) -> set[str]:
    keys = set()
    for item in definition_service.list_definitions():
        deps = (item.get("dependencies") or {}).get("decisions", [])
        if item["kind"] == "process" and decision_ids & set(deps):
            keys.add(item["key"])
    return keys


def _documents(edited: list[Document], process_keys: set[str]) -> list[Document]:
    """The edited documents plus the deployed ones the processes need (and the processes
    themselves when only a decision table was edited)."""
    have = {pid for d in edited for pid, _n, _e in d.processes}
    with db.session() as session:
        documents = list(edited)
        for key in sorted(process_keys - have):
            definition = definition_service.latest(session, key)
            documents.append(definition_service.read_uploads(
                [(definition.file.file_name, bytes(definition.file.content))])[0][0])
        names = {d.file_name for d in documents}
        # the same resolution the deploy uses for what the uploaded processes call
        documents += [d for d in definition_service.deployed_documents(session, documents)
                      if d.file_name not in names]
    return documents


def run(key: str, files: list[tuple[str, bytes]]) -> dict:
    """Scenario results for ``key`` (a process, or a decision: the processes using it) on the
    edited ``files``. Files with errors are reported as problems and nothing runs."""
    problems = definition_service.validate(files)
    errors = [p.as_dict() for p in problems if p.severity == "error"]
    if errors:
        raise DeploymentInvalid(f"{len(errors)} error(s) in the edited files; fix them before trying scenarios",
                                errors)
    edited, _ = definition_service.read_uploads(files)
    decision_ids = {did for d in edited for did, _n in d.decisions}
    process_keys = {key} if key not in decision_ids else _processes_using({key})
    process_keys |= {pid for d in edited for pid, _n, _e in d.processes if pid == key}
    documents = _documents(edited, process_keys)
    timeout = context.settings().script_timeout
    results = []
    for file_name, scenario in scenarios_for(process_keys):
        result = run_scenario(documents, scenario, timeout=timeout).as_dict()
        results.append({"file": file_name, "process": scenario["process"], "name": result["name"],
                        "description": scenario.get("description") or "",
                        "passed": result["passed"], "failures": result["failures"], "path": result["path"],
                        "completed": result["completed"], "ready": result["ready"]})
    return {"key": key, "processes": sorted(process_keys), "scenarios": results,
            "passed": sum(1 for r in results if r["passed"]),
            "failed": sum(1 for r in results if not r["passed"]),
            "warnings": [p.as_dict() for p in problems if p.severity != "error"]}
