"""What changed between two versions of a process or decision, element by element.

Elements are matched by id. An element is *changed* when its own content differs: its
attributes (other than the id), its text, and its children that carry no id of their own
(extension elements, event definitions, conditions, scripts, a DMN cell's text). Children with
their own id are compared as elements in their own right, and the ``incoming`` / ``outgoing``
lists are left out because the sequence flows themselves are compared. Shapes that only moved
are reported separately as ``moved``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from app.engine.parser import BPMN_NS, DMN_NAMESPACES
from app.services import definition_service
from app.services.errors import ValidationFailed

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
#: references BPMN keeps as children; the referenced flows carry the change
SKIPPED_CHILDREN = {f"{{{BPMN_NS}}}incoming", f"{{{BPMN_NS}}}outgoing"}
EXTENSIONS = f"{{{BPMN_NS}}}extensionElements"
XMLNS = re.compile(r'\s+xmlns(?::[\w.-]+)?="[^"]*"')
#: parts of an element that carry an id but are compared as its content
PART_SUFFIXES = ("EventDefinition", "LoopCharacteristics", "Expression", "ioSpecification")


@dataclass(frozen=True)
class Element:
    """One element with an id: its kind, name and a comparable signature of its own content."""

    id: str
    type: str
    name: str
    attrs: dict
    children: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "name": self.name}


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _prefixed(node: etree._Element) -> str:
    qname = etree.QName(node)
    if qname.namespace in (BPMN_NS, *DMN_NAMESPACES):
        return qname.localname
    prefix = node.prefix or qname.namespace or ""
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _is_element(node: etree._Element) -> bool:
    """True for a BPMN/DMN element compared in its own right (a shape, flow, lane, rule, cell);
    event definitions, loop characteristics and expressions belong to their parent."""
    if not isinstance(node.tag, str) or not node.get("id"):
        return False
    qname = etree.QName(node)
    return qname.namespace in (BPMN_NS, *DMN_NAMESPACES) and not qname.localname.endswith(PART_SUFFIXES)


def _canonical(node: etree._Element) -> str:
    """Comparable, readable XML of a node: canonical form, namespace declarations dropped."""
    text = etree.tostring(node, method="c14n", with_comments=False).decode("utf-8")
    return " ".join(XMLNS.sub("", text).split())


def _own_children(node: etree._Element) -> tuple[tuple[str, str], ...]:
    """(label, XML) of children that are not elements of their own, in document order; each
    extension element counts on its own (``spiffworkflow:serviceTaskOperator``)."""
    out: list[tuple[str, str]] = []
    for child in node:
        if not isinstance(child.tag, str) or child.tag in SKIPPED_CHILDREN or _is_element(child):
            continue
        if child.tag == EXTENSIONS:
            out.extend((_prefixed(ext), _canonical(ext)) for ext in child if isinstance(ext.tag, str))
            continue
        out.append((_prefixed(child), _canonical(child)))
    return tuple(out)


def semantic_elements(xml: bytes) -> dict[str, Element]:
    """Every BPMN or DMN element with an id (diagram interchange excluded)."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(f"not well-formed XML: {exc.msg}") from None
    out: dict[str, Element] = {}
    for node in root.iter():
        if node is root or not _is_element(node):
            continue
        attrs = {k: v for k, v in node.attrib.items() if k != "id"}
        text = (node.text or "").strip()
        if text:
            attrs["#text"] = text
        out[node.get("id")] = Element(node.get("id"), _local(node.tag), node.get("name") or "", attrs,
                                      _own_children(node))
    return out


def _bounds(xml: bytes) -> dict[str, tuple]:
    """bpmnElement id → bounds of its shape (BPMN only)."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    out = {}
    for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        bounds = shape.find(f"{{{DC_NS}}}Bounds")
        if bounds is not None and shape.get("bpmnElement"):
            out[shape.get("bpmnElement")] = tuple(bounds.get(k) for k in ("x", "y", "width", "height"))
    return out


def _changes(old: Element, new: Element) -> list[str]:
    """Names of what differs: attributes, then child elements by label."""
    names = sorted(k for k in set(old.attrs) | set(new.attrs) if old.attrs.get(k) != new.attrs.get(k))
    if old.type != new.type:
        names.insert(0, "type")
    if old.children != new.children:
        old_kids, new_kids = dict(old.children), dict(new.children)
        labels = {label for label, _ in old.children} | {label for label, _ in new.children}
        differing = sorted(label for label in labels if old_kids.get(label) != new_kids.get(label))
        names.extend(differing or ["children"])
    return names


def diff_xml(old_xml: bytes, new_xml: bytes) -> dict:
    """Added, removed, changed and moved elements between two files of the same kind."""
    old, new = semantic_elements(old_xml), semantic_elements(new_xml)
    added = [new[i].as_dict() for i in new if i not in old]
    removed = [old[i].as_dict() for i in old if i not in new]
    changed = []
    for element_id in new:
        if element_id in old and old[element_id] != new[element_id]:
            changes = _changes(old[element_id], new[element_id])
            changed.append(new[element_id].as_dict() | {"changes": changes, "before": _summary(old[element_id]),
                                                        "after": _summary(new[element_id])})
    old_bounds, new_bounds = _bounds(old_xml), _bounds(new_xml)
    changed_ids = {c["id"] for c in changed}
    moved = sorted(i for i in new_bounds if i in old_bounds and old_bounds[i] != new_bounds[i]
                   and i not in changed_ids)
    return {"added": added, "removed": removed, "changed": changed, "moved": moved}


def _summary(element: Element) -> dict:
    """The readable content of an element for the diff page (name, attributes, child XML)."""
    return {"attrs": dict(element.attrs), "children": [xml for _label, xml in element.children]}


def diff_versions(key: str, from_version: int, to_version: int) -> dict:
    """The element diff of two deployed versions of one process or decision."""
    before = definition_service.get_version(key, from_version)
    after = definition_service.get_version(key, to_version)
    result = diff_xml(before["xml"].encode("utf-8"), after["xml"].encode("utf-8"))
    return {"key": key, "kind": after["kind"], "from_version": from_version, "to_version": to_version,
            "from_file": before["file_name"], "to_file": after["file_name"], **result}
