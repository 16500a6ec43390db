"""The diagrams in processes/ are readable: complete DI, lanes, no overlaps, Chinese names."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.processes.conftest import PROCESSES

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
              "userTask", "serviceTask", "scriptTask", "businessRuleTask", "callActivity", "receiveTask",
              "sendTask", "manualTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
              "eventBasedGateway", "subProcess")
CJK = re.compile(r"[\u4e00-\u9fff]")
DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))


def _bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.fixture(params=DIAGRAMS, ids=lambda p: p.stem)
def diagram(request):
    return etree.parse(str(request.param)).getroot()


def _nodes(root):
    return [el for tag in FLOW_NODES for el in root.iter(f"{{{NS['bpmn']}}}{tag}")]


def test_every_node_and_flow_is_drawn(diagram):
    shapes = {s.get("bpmnElement"): s for s in diagram.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in diagram.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    for node in _nodes(diagram):
        assert node.get("id") in shapes, node.get("id")
    for flow in diagram.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        points = edges[flow.get("id")].findall("di:waypoint", NS)
        assert len(points) >= 2, flow.get("id")
        for a, b in zip(points, points[1:], strict=False):  # orthogonal segments only
            assert a.get("x") == b.get("x") or a.get("y") == b.get("y"), flow.get("id")


def test_shapes_do_not_overlap_and_stay_in_their_lane(diagram):
    shapes = {s.get("bpmnElement"): _bounds(s) for s in diagram.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    nodes = [n for n in _nodes(diagram) if n.tag != f"{{{NS['bpmn']}}}boundaryEvent"]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            assert not _overlap(shapes[a.get("id")], shapes[b.get("id")]), (a.get("id"), b.get("id"))
    for lane in diagram.iter(f"{{{NS['bpmn']}}}lane"):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, (lane.get("id"), ref.text)


def test_lanes_name_roles_and_cover_every_node(diagram):
    in_lanes = {r.text for r in diagram.iter(f"{{{NS['bpmn']}}}flowNodeRef")}
    for node in _nodes(diagram):
        if node.tag != f"{{{NS['bpmn']}}}boundaryEvent":
            assert node.get("id") in in_lanes, node.get("id")
    for lane in diagram.iter(f"{{{NS['bpmn']}}}lane"):
        assert CJK.search(lane.get("name") or ""), lane.get("id")


def test_ids_are_english_unique_and_names_chinese(diagram):
    ids = [el.get("id") for el in diagram.iter() if isinstance(el.tag, str) and el.get("id")
           and etree.QName(el).namespace in (NS["bpmn"], NS["bpmndi"])]
    assert len(ids) == len(set(ids))
    node_ids = {n.get("id") for n in _nodes(diagram)}
    other_ids = [el.get("id") for el in diagram.iter() if isinstance(el.tag, str) and el.get("id")
                 and el.get("id") in node_ids and el.tag not in {f"{{{NS['bpmn']}}}{t}" for t in FLOW_NODES}]
    assert other_ids == []  # a parameter with a node's id would shadow the node in the parser
    for node in _nodes(diagram):
        assert re.fullmatch(r"[a-z][a-z0-9_]*", node.get("id")), node.get("id")
        tag = etree.QName(node).localname
        if tag.endswith("Task") or tag in ("callActivity", "startEvent", "endEvent"):
            assert CJK.search(node.get("name") or ""), node.get("id")
