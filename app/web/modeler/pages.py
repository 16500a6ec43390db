"""Modeler pages: the definition list, the BPMN and DMN editors, versions and their diff."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import abort, render_template, request, url_for

from app.services import definition_diff_service, definition_service, modeler_service
from app.web.i18n import current_lang
from app.web.modeler import EDITORS, READERS, bp
from app.web.modeler.texts import js_texts
from app.web.session_auth import login_required

#: where ``npm run build`` puts the editors' bundles
BUILD = Path(__file__).resolve().parents[1] / "static" / "build" / "modeler"
#: an empty diagram for "new": one start event, ids made unique per new file
NEW_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_{n}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_{n}" name="新流程" isExecutable="true">
    <bpmn:startEvent id="StartEvent_{n}" name="开始" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{n}">
    <bpmndi:BPMNPlane id="BPMNPlane_{n}" bpmnElement="Process_{n}">
      <bpmndi:BPMNShape id="StartEvent_{n}_di" bpmnElement="StartEvent_{n}">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
NEW_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_{n}" name="新决策"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="Decision_{n}" name="新决策">
    <decisionTable id="DecisionTable_{n}" hitPolicy="UNIQUE">
      <input id="Input_{n}" label="输入">
        <inputExpression id="InputExpression_{n}" typeRef="number"><text>value</text></inputExpression>
      </input>
      <output id="Output_{n}" label="结果" name="result" typeRef="string" />
    </decisionTable>
  </decision>
</definitions>
"""


@bp.get("")
@login_required(*READERS)
def index():
    """Every deployed process and decision, with links to edit, compare and migrate."""
    return render_template("modeler/index.html", definitions=definition_service.list_definitions())


def _urls(key: str | None, kind: str) -> dict:
    """The JSON actions an editor calls."""
    urls = {
        "catalog": url_for("web.modeler.actions.catalog"),
        "validate": url_for("web.modeler.actions.validate"),
        "deploy": url_for("web.modeler.actions.deploy"),
        "index": url_for("web.modeler.index"),
        "versionsBase": url_for("web.modeler.index") + "/versions/",
        "migrateBase": url_for("web.modeler.index") + "/migrate/",
    }
    if key:
        urls["scenarios"] = url_for("web.modeler.actions.scenarios", key=key)
    if key and kind == "process":
        urls["migrate"] = url_for("web.modeler.migration.plan", key=key)
    if key and kind == "decision":
        urls["preview"] = url_for("web.modeler.actions.preview", decision_id=key)
    if key:
        urls["versions"] = url_for("web.modeler.versions", key=key)
    return urls


def _editor(data: dict):
    data["lang"] = current_lang()
    template = "modeler/bpmn_editor.html" if data["kind"] == "process" else "modeler/dmn_editor.html"
    bundle = "bpmn-editor.js" if data["kind"] == "process" else "dmn-editor.js"
    return render_template(template, data=data, texts=js_texts(), assets_built=(BUILD / bundle).is_file())


@bp.get("/edit/<key>")
@login_required(*EDITORS)
def edit(key: str):
    """Open one version (``?version=``, default the newest) of a definition in its editor."""
    versions = definition_service.list_versions(key)
    chosen = request.args.get("version", type=int) or versions[0]["version"]
    shown = definition_service.get_version(key, chosen)
    data = {
        "key": key, "kind": shown["kind"], "version": shown["version"], "file_name": shown["file_name"],
        "xml": shown["xml"], "versions": [{"version": v["version"], "deployed_at": v["deployed_at"],
                                            "deployed_by": v["deployed_by"], "comment": v["comment"]}
                                           for v in versions],
        "urls": _urls(key, shown["kind"]) | {"edit": url_for("web.modeler.edit", key=key)},
    }
    return _editor(data)


@bp.get("/new/<kind>")
@login_required(*EDITORS)
def new(kind: str):
    """An empty BPMN process (``bpmn``) or DMN decision table (``dmn``)."""
    if kind not in ("bpmn", "dmn"):
        abort(404)
    n = uuid.uuid4().hex[:7]
    definition_kind = "process" if kind == "bpmn" else "decision"
    data = {"key": None, "kind": definition_kind, "version": None, "file_name": None, "versions": [],
            "xml": (NEW_BPMN if kind == "bpmn" else NEW_DMN).format(n=n), "urls": _urls(None, definition_kind)}
    return _editor(data)


@bp.get("/versions/<key>")
@login_required(*READERS)
def versions(key: str):
    """Every version with who deployed it, when and why, and how many cases still run on it."""
    items = definition_service.list_versions(key)
    running = modeler_service.running_by_version(key)
    return render_template("modeler/versions.html", key=key, versions=items, running=running,
                           kind=items[0]["kind"])


@bp.get("/diff/<key>")
@login_required(*READERS)
def diff(key: str):
    """Two versions side by side: added, removed and changed elements highlighted."""
    items = definition_service.list_versions(key)
    newest = items[0]["version"]
    to_version = request.args.get("to", type=int) or newest
    from_version = request.args.get("from", type=int) or max(1, to_version - 1)
    result = definition_diff_service.diff_versions(key, from_version, to_version)
    before = definition_service.get_version(key, from_version)
    after = definition_service.get_version(key, to_version)
    return render_template("modeler/diff.html", key=key, diff=result, versions=items, texts=js_texts(),
                           data={"kind": result["kind"], "before": before["xml"], "after": after["xml"],
                                 "diff": result, "key": key, "lang": current_lang()})
