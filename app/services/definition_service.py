"""Deploying BPMN/DMN files as versioned definitions, and reading them back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from app.db import db, utcnow
from app.engine.operators import registry
from app.engine.parser import Document, DocumentError, process_dependencies, read_document, start_events
from app.engine.validation import Problem, validate_documents
from app.models import DefinitionFile, ProcessDefinition, StartTimer, User
from app.services import audit_service, context
from app.services.errors import DefinitionNotFound, DeploymentInvalid

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Deployed:
    """One definition touched by a deploy."""

    key: str
    version: int
    kind: str
    name: str
    created: bool
    definition_id: int


def read_uploads(files: list[tuple[str, bytes]]) -> tuple[list[Document], list[Problem]]:
    """Parse uploaded files; unreadable ones become problems."""
    documents, problems = [], []
    seen: set[str] = set()
    for name, content in files:
        if name in seen:
            problems.append(Problem(name, None, "the same file name was uploaded twice"))
            continue
        seen.add(name)
        if not name.lower().endswith((".bpmn", ".dmn", ".xml")):
            problems.append(Problem(name, None, "only .bpmn and .dmn files can be deployed"))
            continue
        if len(content) > MAX_FILE_BYTES:
            problems.append(Problem(name, None, f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB"))
            continue
        try:
            documents.append(read_document(name, content))
        except DocumentError as exc:
            problems.append(Problem(exc.file_name, None, exc.message, exc.line))
    return documents, problems


def validate(files: list[tuple[str, bytes]]) -> list[Problem]:
    """Every problem the deploy of ``files`` would report (errors and warnings)."""
    documents, problems = read_uploads(files)
    if problems:
        return problems
    with db.session() as session:
        deployed = deployed_documents(session, documents)
        groups = known_groups(session)
    return validate_documents(documents, deployed, registry, context.settings().forms_dir, groups)


def known_groups(session: Session) -> set[str]:
    """Every role and candidate group some active user has (a lane may be named after one)."""
    rows = session.execute(select(User.roles, User.groups).where(User.active.is_(True))).all()
    return {g for roles, groups in rows for g in (roles or []) + (groups or []) if isinstance(g, str) and g}


def deploy(files: list[tuple[str, bytes]], actor: str, comment: str = "") -> tuple[list[Deployed], list[Problem]]:
    """Validate and store files; each changed process/decision gets a new version.

    Returns what was deployed and the warnings. Raises :class:`DeploymentInvalid` listing every
    error (nothing is stored then). Unchanged content keeps its current version. Without a
    comment the version records the deployed file names.
    """
    if not files:
        raise DeploymentInvalid("no files were uploaded", [])
    comment = comment.strip() or "部署 " + "、".join(sorted(name for name, _content in files))
    documents, problems = read_uploads(files)
    if problems:
        raise DeploymentInvalid(f"{len(problems)} problem(s) in the uploaded files",
                                [p.as_dict() for p in problems])
    with db.transaction() as session:
        deployed_docs = deployed_documents(session, documents)
        problems = validate_documents(documents, deployed_docs, registry, context.settings().forms_dir,
                                      known_groups(session))
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DeploymentInvalid(f"{len(errors)} error(s) in the uploaded files",
                                    [p.as_dict() for p in problems])
        results: list[Deployed] = []
        for doc in documents:
            results.extend(_store(session, doc, actor, comment))
        names = sorted(d.file_name for d in documents)
        audit_service.record(session, actor, "definitions.deployed", "deployment", _deployment_subject(names),
                             {"definitions": [f"{r.key}:v{r.version}" for r in results], "files": names,
                              "comment": comment})
    return results, [p for p in problems if p.severity != "error"]


def _deployment_subject(names: list[str]) -> str:
    """The audit subject of a deployment: its file names, or (when they do not fit the column's 255
    characters, as with every shipped file at once) their count and a digest of the names."""
    joined = ",".join(names)
    if len(joined) <= 255:
        return joined
    return f"{len(names)} files {hashlib.sha256(joined.encode('utf-8')).hexdigest()[:16]}"


def _store(session: Session, doc: Document, actor: str, comment: str) -> list[Deployed]:
    digest = hashlib.sha256(doc.content).hexdigest()
    file_row = session.scalar(select(DefinitionFile).where(DefinitionFile.content_hash == digest))
    if file_row is None:
        file_row = DefinitionFile(file_name=doc.file_name, kind=doc.kind, content=doc.content,
                                  content_hash=digest)
        session.add(file_row)
        session.flush()
    items = [(pid, name, "process", executable) for pid, name, executable in doc.processes] + \
            [(did, name, "decision", True) for did, name in doc.decisions]
    out = []
    for key, name, kind, executable in items:
        latest = _latest(session, key, kind)
        if latest is not None and latest.content_hash == digest:
            out.append(Deployed(key, latest.version, kind, latest.name, False, latest.id))
            continue
        definition = ProcessDefinition(
            key=key, version=(latest.version + 1) if latest else 1, kind=kind, name=name,
            file_id=file_row.id, content_hash=digest, executable=executable,
            dependencies=process_dependencies(doc, key) if kind == "process" else {},
            start_events=start_events(doc, key) if kind == "process" else {},
            deployed_at=utcnow(), deployed_by=actor, comment=comment,
        )
        session.add(definition)
        session.flush()
        if kind == "process":
            _register_start_timer(session, definition)
        out.append(Deployed(key, definition.version, kind, name, True, definition.id))
    return out


def _register_start_timer(session: Session, definition: ProcessDefinition) -> None:
    from app.services.timer_service import first_due

    timers = definition.start_events.get("timers") or []
    row = session.get(StartTimer, definition.key)
    if not timers:
        if row is not None:
            session.delete(row)
        return
    expression = timers[0]
    due = first_due(expression)
    if row is None:
        session.add(StartTimer(process_key=definition.key, definition_id=definition.id,
                               expression=expression, next_due_at=due))
    else:
        row.definition_id, row.expression, row.next_due_at = definition.id, expression, due


#: the newest version of a definition, and the newest of several keys' (:func:`_newest`): every
#: start runs both, so each statement is built once, with bound parameters (building and keying
#: them per call was a tenth of a start's CPU)
_LATEST = (select(ProcessDefinition)
           .where(ProcessDefinition.key == bindparam("key"), ProcessDefinition.kind == bindparam("kind"))
           .order_by(ProcessDefinition.version.desc()).limit(1))
_TOP = (select(ProcessDefinition.kind, ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .where(ProcessDefinition.key.in_(bindparam("keys", expanding=True)))
        .group_by(ProcessDefinition.kind, ProcessDefinition.key).subquery())
_NEWEST = (select(ProcessDefinition.kind, ProcessDefinition.key, ProcessDefinition.id, ProcessDefinition.dependencies)
           .join(_TOP, and_(ProcessDefinition.kind == _TOP.c.kind, ProcessDefinition.key == _TOP.c.key,
                            ProcessDefinition.version == _TOP.c.version)))


def _latest(session: Session, key: str, kind: str) -> ProcessDefinition | None:
    return session.scalar(_LATEST, {"key": key, "kind": kind})


def latest(session: Session, key: str, kind: str = "process") -> ProcessDefinition:
    """The newest version of a definition; raises :class:`DefinitionNotFound`."""
    definition = _latest(session, key, kind)
    if definition is None:
        raise DefinitionNotFound(f"no {kind} '{key}' is deployed")
    return definition


def resolve_bundle(session: Session, definition: ProcessDefinition) -> list[int]:
    """Ids of ``definition`` and the newest versions of everything it calls, transitively.

    One query per level of calls (the newest versions of every key the level names), not one
    per key: a 公租房 application calls two processes and several decisions, and every start
    resolves its bundle.
    """
    ids = {definition.id}
    seen = {("process", definition.key)}
    level = [definition.dependencies or {}]
    while level:
        wanted = {(kind, key) for deps in level
                  for kind, keys in (("process", deps.get("processes", [])), ("decision", deps.get("decisions", [])))
                  for key in keys} - seen
        if not wanted:
            break
        seen |= wanted
        newest = _newest(session, wanted)
        missing = sorted(wanted - newest.keys())
        if missing:
            raise DefinitionNotFound(f"no {missing[0][0]} '{missing[0][1]}' is deployed")
        ids.update(found[0] for found in newest.values())
        level = [found[1] or {} for found in newest.values()]
    return sorted(ids)


def _newest(session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, dict]]:
    """(kind, key) → (id, dependencies) of the newest version of each of ``wanted`` that is deployed."""
    rows = session.execute(_NEWEST, {"keys": sorted({key for _kind, key in wanted})}).all()
    return {(r.kind, r.key): (r.id, r.dependencies) for r in rows if (r.kind, r.key) in wanted}


def deployed_documents(session: Session, uploading: list[Document]) -> list[Document]:
    """Newest deployed files that uploaded processes may call but that are not uploaded now."""
    have = {pid for d in uploading for pid, _n, _e in d.processes} | \
           {did for d in uploading for did, _n in d.decisions}
    wanted: set[tuple[str, str]] = set()
    for doc in uploading:
        for pid, _n, _e in doc.processes:
            deps = process_dependencies(doc, pid)
            wanted |= {("process", k) for k in deps["processes"] if k not in have}
            wanted |= {("decision", k) for k in deps["decisions"] if k not in have}
    docs: dict[int, Document] = {}
    todo = list(wanted)
    while todo:
        kind, key = todo.pop()
        definition = _latest(session, key, kind)
        if definition is None or definition.file_id in docs:
            continue
        doc = read_document(definition.file.file_name, bytes(definition.file.content))
        docs[definition.file_id] = doc
        for dep_kind, keys in (("process", (definition.dependencies or {}).get("processes", [])),
                               ("decision", (definition.dependencies or {}).get("decisions", []))):
            todo.extend((dep_kind, k) for k in keys if k not in have)
    return list(docs.values())


def list_definitions() -> list[dict]:
    """Every definition key with its newest version and how many versions it has."""
    with db.session() as session:
        rows = session.scalars(
            select(ProcessDefinition).order_by(ProcessDefinition.kind, ProcessDefinition.key,
                                               ProcessDefinition.version)
        ).all()
    newest: dict[str, ProcessDefinition] = {}
    counts: dict[str, int] = {}
    for d in rows:
        newest[d.key] = d
        counts[d.key] = counts.get(d.key, 0) + 1
    return [describe(d) | {"versions": counts[d.key]} for d in newest.values()]


def list_versions(key: str) -> list[dict]:
    """Every version of one definition, newest first."""
    with db.session() as session:
        rows = session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc())
        ).all()
        if not rows:
            raise DefinitionNotFound(f"no definition '{key}' is deployed")
        return [describe(d) for d in rows]


def get_version(key: str, version: int) -> dict:
    """Metadata and XML of one version."""
    with db.session() as session:
        definition = session.scalar(
            select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.version == version)
        )
        if definition is None:
            raise DefinitionNotFound(f"definition '{key}' has no version {version}")
        return describe(definition) | {
            "file_name": definition.file.file_name,
            "xml": bytes(definition.file.content).decode("utf-8"),
        }


def describe(d: ProcessDefinition) -> dict:
    """The public fields of a definition version."""
    return {
        "id": d.id, "key": d.key, "version": d.version, "kind": d.kind, "name": d.name,
        "content_hash": d.content_hash, "executable": d.executable, "dependencies": d.dependencies,
        "start_events": d.start_events, "deployed_at": d.deployed_at.isoformat(),
        "deployed_by": d.deployed_by, "comment": d.comment,
    }
