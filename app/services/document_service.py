"""Documents applicants upload (ID cards, certificates …): type and size checks, then storage.

A file is accepted only if its extension is allowed *and* its first bytes say the same thing
(a renamed executable is refused), it is not empty and not larger than :data:`MAX_BYTES`. Files
are kept under the instance folder with a random name; the application stores the returned id.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import current_app

from app.services.errors import ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
#: extension → the magic bytes a real file of that type starts with
SIGNATURES = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}
_FILE_ID = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|jpeg|png)$")


def upload_dir() -> Path:
    """Where uploaded documents are kept."""
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(filename: str, content: bytes) -> str:
    """The file's extension if it may be stored; raises :class:`ValidationFailed` otherwise."""
    ext = Path(filename or "").suffix.lower()
    if ext not in SIGNATURES:
        raise ValidationFailed(f"{filename}：只接受 PDF、JPG、PNG 文件", {"documents": ["文件类型不允许"]})
    if not content:
        raise ValidationFailed(f"{filename}：文件为空", {"documents": ["文件为空"]})
    if len(content) > MAX_BYTES:
        raise ValidationFailed(f"{filename}：文件超过 {MAX_BYTES // 1024 // 1024} MB", {"documents": ["文件太大"]})
    if not content.startswith(SIGNATURES[ext]):
        raise ValidationFailed(f"{filename}：文件内容与扩展名不符", {"documents": ["文件内容与类型不符"]})
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
