"""What the engine reads from BPMN files, as plain data, to compare two versions of a file."""

from __future__ import annotations

from lxml import etree

from app.engine.parser import Document, build_parser

SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
SKIP = {"inputs", "outputs", "_wf_spec", "wf_spec", "_parent", "parent", "task_spec", "subprocess_spec"}


def _plain(value, depth: int = 0):
    """JSON-like content of a spec attribute; objects by class and plain attributes."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if depth > 3:
        return type(value).__name__
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items() if k not in SKIP}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if hasattr(value, "bpmn_id") and hasattr(value, "task_spec_ids") is False and depth > 0:
        return f"<spec {getattr(value, 'name', value.bpmn_id)}>"
    inner = _plain(vars(value), depth + 1) if hasattr(value, "__dict__") else None
    if isinstance(inner, dict):
        return {"class": type(value).__name__, **inner}
    return type(value).__name__


def engine_view(documents: list[Document]) -> dict:
    """process id → task name → the spec's attributes (or the parse error's type)."""
    parser = build_parser(documents, validate=False)
    out = {}
    for doc in documents:
        for process_id, _name, _exe in doc.processes:
            try:
                spec = parser.get_spec(process_id)
            except Exception as exc:  # the same failure must come back after the round trip
                out[process_id] = f"error: {type(exc).__name__}"
                continue
            out[process_id] = {name: _plain(vars(ts)) for name, ts in spec.task_specs.items()}
    return out


def extension_map(xml: bytes) -> dict:
    """(owner id, extension name) → the attributes and text of each spiffworkflow: element."""
    root = etree.fromstring(xml)
    out = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(SPIFF):
            owner = el.getparent()
            while owner is not None and owner.get("id") is None:
                owner = owner.getparent()
            key = (owner.get("id") if owner is not None else "", etree.QName(el).localname)
            out.setdefault(key, []).append((sorted(el.attrib.items()), (el.text or "").strip()))
    return out
