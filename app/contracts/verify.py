"""Is a signed contract intact: the PAdES signature valid against the platform's certificate,
covering the whole file, and (for a stored lease) the file's SHA-256 equal to the stored one."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.contracts.seal import outside_event_loop


@dataclass
class Verdict:
    """The outcome of a check, with the reasons when it failed."""

    intact: bool
    sha256: str
    signer: str = ""
    signed_at: str = ""
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"intact": self.intact, "sha256": self.sha256, "signer": self.signer, "signed_at": self.signed_at,
                "reasons": self.reasons}


def verify_pdf(data: bytes, cert_der: bytes, stored_sha256: str | None = None) -> Verdict:
    """Check ``data``; ``stored_sha256`` adds the comparison with the stored file."""
    verdict = Verdict(intact=False, sha256=hashlib.sha256(data).hexdigest())
    if stored_sha256 is not None and stored_sha256 != verdict.sha256:
        verdict.reasons.append("hash_mismatch")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError):
        verdict.reasons.append("unreadable")
        return verdict
    if not signatures:
        verdict.reasons.append("unsigned")
        return verdict
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(cert_der)], allow_fetching=False)
    try:
        status = outside_event_loop(lambda: validate_pdf_signature(signatures[-1], context))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        verdict.reasons.append(f"invalid: {exc}")
        return verdict
    verdict.signer = signatures[-1].sig_object.get("/Name", "") or ""
    verdict.signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    if not status.intact:
        verdict.reasons.append("modified")
    if not status.valid:
        verdict.reasons.append("bad_signature")
    if not status.trusted:
        verdict.reasons.append("untrusted")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        verdict.reasons.append("not_entire_file")
    verdict.intact = not verdict.reasons
    return verdict
