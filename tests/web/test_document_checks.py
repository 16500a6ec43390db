"""Uploaded documents: type by extension *and* first bytes, not empty, at most 10 MB; stored by a random id."""

from __future__ import annotations

import pytest
from flask import Flask

from app.services import document_service
from app.services.errors import ValidationFailed

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def upload_app(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path))
    with app.app_context():
        yield tmp_path


@pytest.mark.parametrize(("name", "content", "ext"), [
    ("身份证.pdf", PDF, ".pdf"), ("户口簿.PNG", PNG, ".png"), ("收入证明.jpg", JPG, ".jpg"), ("a.jpeg", JPG, ".jpeg"),
])
def test_real_files_of_allowed_types_pass(name, content, ext):
    assert document_service.check(name, content) == ext


@pytest.mark.parametrize(("name", "content", "error", "field_message"), [
    ("setup.exe", b"MZ\x90\x00", "只接受 PDF、JPG、PNG 文件", "文件类型不允许"),
    ("no_extension", PDF, "只接受 PDF、JPG、PNG 文件", "文件类型不允许"),
    ("报告.docx", b"PK\x03\x04", "只接受 PDF、JPG、PNG 文件", "文件类型不允许"),
    ("空.pdf", b"", "文件为空", "文件为空"),
    ("改名.pdf", b"MZ\x90\x00" + b"\x00" * 64, "文件内容与扩展名不符", "文件内容与类型不符"),
    ("照片.png", JPG, "文件内容与扩展名不符", "文件内容与类型不符"),
])
def test_wrong_type_renamed_or_empty_files_are_refused(name, content, error, field_message):
    with pytest.raises(ValidationFailed) as caught:
        document_service.check(name, content)
    assert error in caught.value.detail and caught.value.errors == {"documents": [field_message]}


def test_the_size_limit_is_ten_megabytes_inclusive():
    limit = document_service.MAX_BYTES
    assert limit == 10 * 1024 * 1024
    assert document_service.check("big.pdf", PDF + b"\x00" * (limit - len(PDF))) == ".pdf"
    with pytest.raises(ValidationFailed) as caught:
        document_service.check("big.pdf", PDF + b"\x00" * (limit - len(PDF) + 1))
    assert "超过 10 MB" in caught.value.detail and caught.value.errors == {"documents": ["文件太大"]}


def test_a_stored_file_gets_a_random_id_and_its_bytes_are_kept(upload_app):
    entry = document_service.store("id_card", "../../etc/身份证.pdf", PDF)
    assert entry["kind"] == "id_card" and entry["name"] == "身份证.pdf"  # no directories from the client
    assert entry["file_id"].endswith(".pdf") and len(entry["file_id"]) == 36
    assert (upload_app / "uploads" / entry["file_id"]).read_bytes() == PDF
    assert document_service.path_of(entry["file_id"]).read_bytes() == PDF
    assert document_service.store("id_card", "b.pdf", PDF)["file_id"] != entry["file_id"]


def test_a_refused_file_is_not_stored(upload_app):
    with pytest.raises(ValidationFailed):
        document_service.store("id_card", "x.pdf", b"not a pdf")
    assert not any(document_service.upload_dir().iterdir())


@pytest.mark.parametrize("file_id", ["../secret.pdf", "abc.pdf", "0" * 32 + ".exe", "", "0" * 32 + ".pdf/../x"])
def test_only_ids_this_module_issued_resolve_to_a_path(upload_app, file_id):
    with pytest.raises(ValidationFailed):
        document_service.path_of(file_id)
