"""Mutated and foreign BPMN/DMN files never make the deploy or start endpoints answer 5xx.

Every model shipped in ``processes/`` and every fixture is mutated deterministically (a seeded
RNG): elements and attributes deleted, ids swapped, text truncated, odd expressions injected,
namespaces changed. Each mutant is deployed; what deploys is started. A 4xx is the right answer
for a broken file; a 5xx never is.
"""

from __future__ import annotations

import io
import random
import time

from lxml import etree

from app.auth.identity import Identity
from tests.conftest import FIXTURES, ROOT
from tests.support.users import bearer_for

SEED = 20_261_206
MUTANTS = 150
BUDGET_SECONDS = 240
SOURCES = sorted([*(ROOT / "processes").glob("*.bpmn"), *(ROOT / "processes").glob("*.dmn"),
                  *(FIXTURES / "bpmn").glob("*.bpmn"), *(FIXTURES / "bpmn").glob("*.dmn"),
                  *(FIXTURES / "bpmn" / "conformance").glob("*.bpmn"),
                  # decision graphs, boxed expressions and knowledge models (the refused ones are not sources)
                  *(p for p in (FIXTURES / "dmn").glob("*.dmn") if not p.name.startswith("unsupported"))])
ODD_EXPRESSIONS = ["", " ", "None", "1/0", "__import__('os').system('true')", "((((", "'", "x" * 5000,
                   "lambda: 1", "[i for i in range(10**9)]", "\"R-1/PT0S\"", "\"P-1D\"", "\x7f", "{}",
                   "${amount > 1}", "amount >", "\"R4/PT1S\"", "\"2026-13-45T99:00:00\""]
EXPRESSION_TAGS = ("script", "conditionExpression", "timeCycle", "timeDuration", "timeDate",
                   "completionCondition", "loopCardinality", "text", "inputExpression")
FOREIGN_NAMESPACES = ["http://www.omg.org/spec/BPMN/20100524/DI", "http://camunda.org/schema/1.0/bpmn",
                      "http://www.omg.org/spec/DMN/20151101/dmn.xsd", ""]


def _elements(root):
    return [el for el in root.iter() if isinstance(el.tag, str) and el is not root]


def _delete_element(rng, root):
    victims = _elements(root)
    if victims:
        victim = rng.choice(victims)
        victim.getparent().remove(victim)


def _delete_attribute(rng, root):
    carriers = [el for el in _elements(root) if el.attrib]
    if carriers:
        el = rng.choice(carriers)
        del el.attrib[rng.choice(sorted(el.attrib))]


def _swap_ids(rng, root):
    with_ids = [el for el in _elements(root) if el.get("id")]
    if len(with_ids) >= 2:
        a, b = rng.sample(with_ids, 2)
        ida, idb = a.get("id"), b.get("id")
        a.set("id", idb)
        b.set("id", ida)


def _inject_expression(rng, root):
    targets = [el for el in _elements(root) if etree.QName(el).localname in EXPRESSION_TAGS]
    if targets:
        rng.choice(targets).text = rng.choice(ODD_EXPRESSIONS)


def _retag(rng, root):
    """An element becomes another kind of flow node (or something foreign)."""
    victims = [el for el in _elements(root) if el.get("id")]
    if victims:
        el = rng.choice(victims)
        ns = etree.QName(el).namespace or ""
        name = rng.choice(["complexGateway", "adHocSubProcess", "transaction", "dataStoreReference",
                           "eventBasedGateway", "intermediateThrowEvent", "callActivity", "subProcess",
                           "boundaryEvent", "startEvent", "notAnElement"])
        el.tag = f"{{{ns}}}{name}" if ns else name


def _wrong_namespace(rng, root):
    victims = _elements(root)
    el = root if rng.random() < 0.3 or not victims else rng.choice(victims)
    ns = rng.choice(FOREIGN_NAMESPACES)
    local = etree.QName(el).localname
    el.tag = f"{{{ns}}}{local}" if ns else local


TREE_MUTATIONS = [_delete_element, _delete_attribute, _swap_ids, _inject_expression, _retag, _wrong_namespace]


def mutate(rng: random.Random, content: bytes) -> bytes:
    """One deterministic mutant of ``content``."""
    if rng.random() < 0.12:
        return content[:rng.randrange(1, max(2, len(content)))]  # truncated
    root = etree.fromstring(content)
    for _ in range(rng.randint(1, 3)):
        rng.choice(TREE_MUTATIONS)(rng, root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _starter(app) -> dict:
    """A user holding every role any model lets start it."""
    roles = {"admin", "reviewer", "applicant", "policy", "operator"}
    for path in SOURCES:
        for value in etree.fromstring(path.read_bytes()).xpath(
                "//*[local-name()='property'][@name='startRoles']/@value"):
            roles.update(role.strip() for role in value.split(","))
    roles.discard("")
    identity = Identity("fuzz_starter", "全角色", roles=tuple(sorted(roles)), groups=("reviewers",),
                        district="渝中区")
    return bearer_for(app, identity)


def _post_files(client, headers, files: list[tuple[str, bytes]]):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/api/v1/process-definitions", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_mutated_models_never_make_deploy_or_start_answer_5xx(app, client, auth):
    assert len(SOURCES) >= 20
    # decisions the processes call are in place, so mutants of a process reach the start endpoint
    decisions = [(p.name, p.read_bytes()) for p in SOURCES if p.suffix == ".dmn"]
    assert _post_files(client, auth(), decisions).status_code == 201
    starter = _starter(app)
    rng = random.Random(SEED)
    began = time.monotonic()
    statuses: dict[int, int] = {}
    failures = []
    for n in range(MUTANTS):
        if time.monotonic() - began > BUDGET_SECONDS:
            break
        source = rng.choice(SOURCES)
        mutant = mutate(rng, source.read_bytes())
        response = _post_files(client, auth(), [(source.name, mutant)])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append((n, source.name, "deploy", response.get_json()))
            continue
        if response.status_code != 201:
            assert response.status_code == 422 and response.get_json()["errors"], response.get_json()
            continue
        for item in response.get_json()["items"]:
            if item["kind"] != "process":
                continue
            started = client.post("/api/v1/process-instances", headers=starter,
                                  json={"process_key": item["key"], "data": {}})
            statuses[started.status_code] = statuses.get(started.status_code, 0) + 1
            if started.status_code >= 500:
                failures.append((n, source.name, f"start {item['key']}", started.get_json()))
    assert not failures, failures
    tried = sum(statuses.values())
    assert tried >= 100, statuses  # the budget let enough mutants through to mean something
    assert statuses.get(422, 0) > 0 and statuses.get(201, 0) > 0, statuses
