"""Implicit splits made explicit before SpiffWorkflow parses a diagram.

BPMN 2.0.2 (§10.5.1, §13.2.1) lets an activity or event have several outgoing sequence flows
without a gateway: unconditional flows form an implicit parallel split (a token on each), and
conditional flows an implicit inclusive split (a token on each flow whose condition holds, the
flow the node names as ``default`` only when none holds). SpiffWorkflow's parser refuses several
outgoing flows from anything but a gateway, so :func:`with_implicit_gateways` inserts the
equivalent gateway into a copy of the XML: the node keeps one flow, to a ``parallelGateway`` or
an ``inclusiveGateway`` (its ``default`` the node's), which takes the node's outgoing flows. An
unconditional flow beside conditional ones is always taken, as BPMN says, so it gets the
condition ``True``.

The gateway's id is derived from the node's (:data:`SUFFIX`), so the same file always parses to
the same spec names: state saved under one parse loads under the next, and specs are cached and
rebuilt from the stored file (ADR 0003), never serialised. The stored file stays as drawn.

Several incoming flows into an activity need nothing: BPMN makes them an implicit exclusive merge
(each token passes on its own), which is what SpiffWorkflow does with a task that has several
inputs.
"""

from __future__ import annotations

import copy

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: appended to a node's id to name its implicit split gateway (and the flow into it)
SUFFIX = "__implicit_split"
_GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
_CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")


def _tag(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def _splits(root: etree._Element) -> list[tuple[etree._Element, etree._Element, list[etree._Element]]]:
    """``(container, node, outgoing flows)`` of every non-gateway node with several outgoing flows."""
    out = []
    for container in root.iter(*(_tag(c) for c in _CONTAINERS)):
        flows: dict[str, list[etree._Element]] = {}
        for flow in container.findall(_tag("sequenceFlow")):
            flows.setdefault(flow.get("sourceRef") or "", []).append(flow)
        for node in container:
            if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS or not node.get("id"):
                continue
            outgoing = flows.get(node.get("id") or "", [])
            if len(outgoing) > 1 and etree.QName(node).localname not in _GATEWAYS:
                out.append((container, node, outgoing))
    return out


def with_implicit_gateways(root: etree._Element) -> etree._Element:
    """``root`` itself when no node splits implicitly, else a copy with the gateways inserted."""
    if not _splits(root):
        return root
    root = copy.deepcopy(root)
    for container, node, outgoing in _splits(root):
        node_id = node.get("id")
        gateway_id = f"{node_id}{SUFFIX}"
        default = node.attrib.pop("default", None)
        conditional = default is not None or any(f.find(_tag("conditionExpression")) is not None for f in outgoing)
        gateway = etree.Element(_tag("inclusiveGateway" if conditional else "parallelGateway"), id=gateway_id)
        if conditional and default in {f.get("id") for f in outgoing}:
            gateway.set("default", default)
        into = etree.Element(_tag("sequenceFlow"), id=f"{node_id}{SUFFIX}_flow", sourceRef=node_id,
                             targetRef=gateway_id)
        _point_outgoing(node, into.get("id"))
        etree.SubElement(gateway, _tag("incoming")).text = into.get("id")
        for flow in outgoing:
            flow.set("sourceRef", gateway_id)
            etree.SubElement(gateway, _tag("outgoing")).text = flow.get("id")
            if conditional and flow.get("id") != default and flow.find(_tag("conditionExpression")) is None:
                etree.SubElement(flow, _tag("conditionExpression")).text = "True"
        container.insert(container.index(node) + 1, gateway)
        container.insert(container.index(gateway) + 1, into)
    return root


def _point_outgoing(node: etree._Element, flow_id: str) -> None:
    """Let the node's ``outgoing`` entries name only ``flow_id``, where the schema wants them."""
    olds = node.findall(_tag("outgoing"))
    children = list(node)
    if olds:
        at = children.index(olds[0])
    else:  # after documentation, extensionElements, incoming
        heads = {_tag("documentation"), _tag("extensionElements"), _tag("incoming")}
        at = next((i for i, c in enumerate(children) if c.tag not in heads), len(children))
    for old in olds:
        node.remove(old)
    entry = etree.Element(_tag("outgoing"))
    entry.text = flow_id
    node.insert(at, entry)
