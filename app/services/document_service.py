"""Documents applicants upload (ID cards, certificates …): type and size checks, then storage.

A file is accepted only if its extension is allowed *and* its first bytes say the same thing
(a renamed executable is refused), it is not empty and not larger than :data:`MAX_BYTES`. Files
are kept under the instance folder with a random name; the application stores the returned id.

A case's documents are read and downloaded with the case's own access rule
(:func:`app.services.case_service.can_view`): the applicant who owns it, staff who may see the
case, nobody else (they get "not found"). Each download by staff is an audit event, like a view
of whole ID numbers.
"""

from __future__ import annotations

import json
import mimetypes
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.l10n import Message
from app.models import Application
from app.privacy import mask_text
from app.services import audit_service, forms
from app.services.errors import NotFound, ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
#: extension → the magic bytes a real file of that type starts with
SIGNATURES = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}
_FILE_ID = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|jpeg|png)$")


class DocumentNotFound(NotFound):
    code = "document_not_found"


#: the form whose ``documents.items.kind`` names the kinds of document
KINDS_FORM = "application.schema.json"


def kind_names() -> dict[str, str]:
    """Document kind → its Chinese name, as the application form lists them (empty without it)."""
    try:
        prop = forms.load_form(KINDS_FORM)["properties"]["documents"]["items"]["properties"]["kind"]
    except (forms.FormNotFound, KeyError):
        return {}
    names = prop.get("enumNames") or []
    return {kind: names[i] if i < len(names) else kind for i, kind in enumerate(prop.get("enum") or [])}


def upload_dir() -> Path:
    """Where uploaded documents are kept."""
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(filename: str, content: bytes) -> str:
    """The file's extension if it may be stored; raises :class:`ValidationFailed` otherwise."""
    ext = Path(filename or "").suffix.lower()
    if ext not in SIGNATURES:
        raise ValidationFailed(Message("document.type_not_allowed", name=filename), {"documents": ["文件类型不允许"]})
    if not content:
        raise ValidationFailed(Message("document.empty", name=filename), {"documents": ["文件为空"]})
    if len(content) > MAX_BYTES:
        raise ValidationFailed(Message("document.too_large", name=filename, mb=MAX_BYTES // 1024 // 1024),
                               {"documents": ["文件太大"]})
    if not content.startswith(SIGNATURES[ext]):
        raise ValidationFailed(Message("document.content_mismatch", name=filename),
                               {"documents": ["文件内容与类型不符"]})
    return ext


def store(kind: str, filename: str, content: bytes) -> dict:
    """Check and keep one document; returns the application's document entry."""
    ext = check(filename, content)
    file_id = f"{uuid.uuid4().hex}{ext}"
    (upload_dir() / file_id).write_bytes(content)
    name = Path(filename).name[-100:]
    return {"kind": kind, "name": name, "file_id": file_id}


def path_of(file_id: str) -> Path:
    """The stored file of an id this module issued (anything else is refused)."""
    if not _FILE_ID.match(file_id or ""):
        raise ValidationFailed("invalid document id", {"file_id": ["unknown"]})
    return upload_dir() / file_id


def case_documents(identity: Identity, application_no: str) -> list[dict]:
    """The documents of a case the identity may see: kind, name, file id, size and upload time.

    Size and time come from the stored file (``None`` if it is missing); raises
    :class:`~app.services.case_service.CaseNotFound` for a case the identity may not see.
    """
    case = _visible_case(identity, application_no)
    out = []
    for doc in (case.declared or {}).get("documents") or []:
        if not isinstance(doc, dict):
            continue
        entry = {"kind": doc.get("kind", "other"), "name": mask_text(str(doc.get("name", ""))),
                 "file_id": doc.get("file_id"),
                 "size": None, "uploaded_at": None}
        if entry["file_id"] and _FILE_ID.match(entry["file_id"]):
            stored = upload_dir() / entry["file_id"]
            if stored.is_file():
                stat = stored.stat()
                entry["size"] = stat.st_size
                entry["uploaded_at"] = datetime.fromtimestamp(stat.st_mtime, UTC)
        out.append(entry)
    return out


def acceptance_gaps(identity: Identity, application_no: str, missing_kinds: Sequence[str] = ()) -> list[str]:
    """What a 受理 reviewer is warned of on the task page, in words: the required kinds the
    process found missing (``missing_documents``) and the listed files that are not on disk.

    Empty when the case's documents are complete; batch 受理 refuses a case with any gap.
    """
    names = kind_names()
    gaps = [names.get(k, k) for k in missing_kinds if isinstance(k, str)]
    gaps += [f"{names.get(d['kind'], d['kind'])}（文件缺失）" for d in case_documents(identity, application_no)
             if d["size"] is None]
    return gaps


def open_document(identity: Identity, application_no: str, file_id: str) -> dict:
    """One document of a case the identity may see: ``{path, name, mimetype}``.

    Only a file the case lists can be opened; anything else is :class:`DocumentNotFound`. A
    download by anyone but the case's applicant is recorded as a ``document.downloaded`` event.
    """
    case = _visible_case(identity, application_no)
    doc = next((d for d in (case.declared or {}).get("documents") or []
                if isinstance(d, dict) and d.get("file_id") == file_id), None)
    if doc is None or not _FILE_ID.match(file_id or "") or not (upload_dir() / file_id).is_file():
        raise DocumentNotFound(Message("document.not_found", no=application_no, file=file_id))
    if identity.username != case.applicant_username:
        with db.transaction() as session:
            audit_service.record(session, identity.username, "document.downloaded", "process_instance",
                                 case.instance_id or application_no,
                                 {"application_no": application_no, "file_id": file_id, "kind": doc.get("kind")},
                                 instance_id=case.instance_id)
    name = doc.get("name") or file_id
    return {"path": upload_dir() / file_id, "name": name,
            "mimetype": mimetypes.guess_type(file_id)[0] or "application/octet-stream"}


def _visible_case(identity: Identity, application_no: str) -> Application:
    from app.services.case_service import CaseNotFound, can_view

    with db.session() as session:
        case = session.scalar(select(Application).where(Application.application_no == application_no))
    if case is None or not can_view(identity, case):
        raise CaseNotFound(Message("case.not_found", no=application_no))
    return case


class Upload(NamedTuple):
    """A file sent with a form: the kind of document it is, its name and its bytes, and the
    form field it came in, which its problems name (``documents.<i>.file`` by its place if None)."""

    kind: str
    filename: str
    content: bytes
    field: str | None = None


def _check_uploads(uploads: Sequence[Upload], first: int) -> None:
    """Every file's type, size and content, each problem on the field it came in."""
    errors: dict[str, list[str]] = {}
    for i, upload in enumerate(uploads, start=first):
        try:
            check(upload.filename, upload.content)
        except ValidationFailed as exc:
            errors[upload.field or f"documents.{i}.file"] = [exc.detail]
    if errors:
        raise ValidationFailed("上传的文件未通过检查", errors)


@contextmanager
def kept_uploads(uploads: Sequence[Upload], form: dict) -> Iterator[dict]:
    """Check every upload, store them, and give ``form`` with them added to its documents; if
    the block fails, the stored files are removed again, so a refused request keeps nothing."""
    listed = form.get("documents")
    _check_uploads(uploads, first=len(listed) if isinstance(listed, list) else 0)
    stored: list[dict] = []
    try:
        for upload in uploads:
            stored.append(store(upload.kind, upload.filename, upload.content))
        if stored and isinstance(listed, list | None):
            form = {**form, "documents": [*(listed or []), *stored]}
        yield form
    except BaseException:
        for document in stored:
            path_of(document["file_id"]).unlink(missing_ok=True)
        raise


def refuse_file_references(documents) -> None:
    """A submitted document may not name a stored file: files come only with the request itself."""
    named = {f"documents.{i}.file_id": ["文件须随申请一并上传，不能引用已存文件"]
             for i, d in enumerate(documents if isinstance(documents, list) else [])
             if isinstance(d, dict) and d.get("file_id") is not None}
    if named:
        raise ValidationFailed("文件须随申请一并上传，不能引用已存文件", named)


# -- files held while a form is redrawn -------------------------------------------------------
#: a held file's token: random hex and its extension
_HELD = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|jpeg|png)$")
#: held files older than this are removed the next time a file is held
HELD_HOURS = 24


def _held_dir(create: bool = False) -> Path:
    path = Path(current_app.instance_path) / "uploads" / "held"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def hold(identity: Identity, uploads: Sequence[Upload]) -> list[dict]:
    """Keep the acceptable files of a form that is shown again (an error, a row added), for its owner.

    A browser cannot refill a file input, so the page lists these instead and sends their tokens
    back; :func:`held` turns them into uploads again. Files that fail the checks are not held
    (their problem is shown). Returns ``[{token, kind, name}]``.
    """
    _sweep_held()
    out = []
    for upload in uploads:
        try:
            ext = check(upload.filename, upload.content)
        except ValidationFailed:
            continue
        token = f"{uuid.uuid4().hex}{ext}"
        name = Path(upload.filename).name[-100:]
        (_held_dir(create=True) / token).write_bytes(upload.content)
        (_held_dir() / f"{token}.json").write_text(json.dumps(
            {"owner": identity.username, "kind": upload.kind, "name": name}, ensure_ascii=False), encoding="utf-8")
        out.append({"token": token, "kind": upload.kind, "name": name})
    return out


def held(identity: Identity, tokens: Sequence[str]) -> tuple[list[Upload], list[dict]]:
    """The files held for ``identity`` under ``tokens`` as uploads, and their ``{token, kind, name}``.

    A token that is malformed, unknown or held for someone else is ignored.
    """
    uploads, listed = [], []
    for token in dict.fromkeys(tokens):
        if not _HELD.match(token or ""):
            continue
        meta_path, path = _held_dir() / f"{token}.json", _held_dir() / token
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            content = path.read_bytes()
        except (OSError, ValueError):
            continue
        if meta.get("owner") != identity.username:
            continue
        uploads.append(Upload(meta.get("kind") or "other", meta.get("name") or token, content))
        listed.append({"token": token, "kind": meta.get("kind") or "other", "name": meta.get("name") or token})
    return uploads, listed


def release(tokens: Sequence[str]) -> None:
    """Remove held files once their form went through (the case keeps its own copies)."""
    for token in tokens:
        if _HELD.match(token or ""):
            (_held_dir() / token).unlink(missing_ok=True)
            (_held_dir() / f"{token}.json").unlink(missing_ok=True)


def _sweep_held() -> None:
    limit = datetime.now(UTC).timestamp() - HELD_HOURS * 3600
    if not _held_dir().is_dir():
        return
    for path in _held_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
