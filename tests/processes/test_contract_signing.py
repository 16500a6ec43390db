"""Signing a lease for real, on PostgreSQL with the sandbox: the tenant of record with an SMS code,
a PAdES signature that pyHanko (API and CLI) validates, and the public verification page."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from app.auth.identity import Identity
from app.contracts import signing
from app.contracts.codes import WrongCode
from app.contracts.keys import load_material
from app.contracts.seal import outside_event_loop
from app.db import db
from app.models import Application, Lease, SigningCode
from app.services import case_service, context, instance_service, task_service, tenancy_service
from app.services.errors import Forbidden, TaskClaimedByOther
from tests.processes.conftest import applicant, complete, ready_task, review_through_countersign, staff, submit
from tests.support.signing import last_code
from tests.web.conftest import Browserless

OFFICER = staff("city", "allocation_officer", None, "city_reviewer")
UNIT = {"code": "BB-0501", "address": "北碚区天生路5号5-1", "area": 45.0, "rent": 480.0}
KEY = "dibao_priority"
PYHANKO = Path(sys.executable).with_name("pyhanko")


def _to_signing(key: str) -> tuple[str, str]:
    case = submit(key)
    review_through_countersign(case["application_no"], case["district"])
    instance_service.fire_timers_now(case["instance_id"], "test")
    assert case_service.get_case(applicant(key), case["application_no"])["status"] == "waiting"
    started = tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": case["district"], "method": "lottery", "units": [UNIT]})
    complete(OFFICER, started["round_no"], "confirm_draw", {"confirm": True, "witness": "公证员"})
    complete(applicant(key), started["round_no"], "respond_offer", {"response": {"decision": "accept"}})
    lease_no = f"L{case['application_no']}"
    task = ready_task(lease_no, "sign_lease")
    assert task is not None
    return lease_no, task.id


def _pyhanko_cli(pdf: Path, cert: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYHANKO), "sign", "validate", "--pretty-print", "--trust", str(cert), str(pdf)],
                          capture_output=True, text=True, timeout=120)


def test_the_tenant_signs_with_an_sms_code_and_the_signature_validates(flow_app, sandbox, tmp_path):
    lease_no, task_id = _to_signing(KEY)
    tenant, admin = applicant(KEY), sandbox[1]
    drafted = tenancy_service.contract_pdf(tenant, lease_no)  # readable before signing
    assert drafted.startswith(b"%PDF-")

    other = Identity("demo_yibao_gap", "别人", roles=("applicant",), groups=("applicant",))
    with pytest.raises(Forbidden, match="只有承租人本人"):  # another applicant
        signing.send_code(other, task_id)
    with pytest.raises(TaskClaimedByOther):
        task_service.complete(other, task_id, {"agree": True, "sms_code": "000000"})
    administrator = Identity("root", "管理员", roles=("admin",), groups=("admin",))
    with pytest.raises(Forbidden, match="只有承租人本人"):
        signing.send_code(administrator, task_id)
    with pytest.raises(Forbidden, match="只有承租人本人"):
        task_service.complete(administrator, task_id, {"agree": True, "sms_code": "000000"})

    sent = signing.send_code(tenant, task_id)
    assert sent["lease_no"] == lease_no and "****" in sent["phone_masked"]
    code = last_code(admin)
    with db.session() as session:
        [row] = session.scalars(select(SigningCode).where(SigningCode.used_at.is_(None))).all()
        assert code not in row.code_hash and len(row.code_hash) == 64  # only a keyed hash is kept
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(WrongCode, match="短信验证码不正确，还可尝试 4 次") as refused:
        task_service.complete(tenant, task_id, {"agree": True, "sms_code": wrong})
    assert refused.value.errors == {"sms_code": ["短信验证码不正确，还可尝试 4 次"]}
    task_service.complete(tenant, task_id, {"agree": True, "sms_code": code})
    with pytest.raises(WrongCode):  # used once
        signing.check_signing(tenant, task_service.get_task(tenant, task_id), {"sms_code": code})

    with db.session() as session:
        lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no))
        signed, stored, signer = bytes(lease.signed_pdf), lease.signed_sha256, lease.signer_name
        name = session.get(Application, lease.application_id).applicant_name
    assert lease.status in ("signed", "active") and signer == name and signed != drafted
    assert tenancy_service.contract_pdf(tenant, lease_no) == signed

    material = load_material(context.settings())
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    trust = ValidationContext(trust_roots=[asn1_x509.Certificate.load(material.cert_der)], allow_fetching=False)
    status = outside_event_loop(lambda: validate_pdf_signature(embedded, trust))  # pyHanko runs its own loop
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert embedded.sig_object["/Name"] == name

    cert = tmp_path / "platform.pem"
    cert.write_bytes(material.cert_pem)
    good, bad = tmp_path / "signed.pdf", tmp_path / "tampered.pdf"
    good.write_bytes(signed)
    tampered = bytearray(signed)
    spot = signed.index(b"/MediaBox")  # inside the signed byte range: a page's box changes size
    tampered[spot + 12] = ord("9") if tampered[spot + 12] != ord("9") else ord("8")
    bad.write_bytes(bytes(tampered))
    checked = _pyhanko_cli(good, cert)
    assert checked.returncode == 0 and "trusted" in checked.stdout, checked.stdout + checked.stderr
    assert _pyhanko_cli(bad, cert).returncode != 0

    page = Browserless(flow_app)
    html = page.get(f"/contracts/verify?lease_no={lease_no}").get_data(as_text=True)
    assert 'data-intact="yes"' in html and "合同完好" in html and stored in html
    upload = page.post("/contracts/verify", data={"file": (io.BytesIO(bytes(tampered)), "x.pdf")},
                       content_type="multipart/form-data")
    html = upload.get_data(as_text=True)
    assert upload.status_code == 200 and 'data-intact="no"' in html and "合同未通过验真" in html
    assert 'data-intact="yes"' in page.post("/contracts/verify", data={"file": (io.BytesIO(signed), "x.pdf")},
                                            content_type="multipart/form-data").get_data(as_text=True)
    page.get("/lang/en")
    english = page.get(f"/contracts/verify?lease_no={lease_no}").get_data(as_text=True)
    assert "Intact: the signature is valid" in english
    missing = page.get("/contracts/verify?lease_no=LNOSUCH")
    assert missing.status_code == 404 and 'data-testid="verify-error"' in missing.get_data(as_text=True)


def test_the_contract_embeds_its_font(flow_app, tmp_path):
    from app.contracts.render import render_contract_pdf

    path = tmp_path / "c.pdf"
    path.write_bytes(render_contract_pdf("住房租赁合同", "合同编号 L500106，月租金 520.00 元"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" in row[-5:-3] for row in rows), fonts  # emb = yes
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "L500106" in text and "520.00" in text  # digits come out as digits, not spaced glyphs
