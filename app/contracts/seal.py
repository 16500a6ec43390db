"""Sign a contract PDF: a PAdES signature (pyHanko) with a visible stamp on the signature page.

:class:`ContractSealer` is the one interface the lease flow uses; :class:`PadesSealer` is the
PAdES implementation. An SM2 seal per GB/T 38540 would be another implementation of the same
two methods.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol, TypeVar

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from app.contracts.keys import SigningMaterial
from app.contracts.render import SIGNATURE_BOX
from connectors.signing import gm

FIELD_NAME = "TenantSignature"
SEAL_TEXT = "重庆市住房保障电子签约平台 电子签章"
CHINA_TZ_NAME = "UTC+8"


def sm3_hex(data: bytes) -> str:
    """The SM3 hash of ``data`` (GB/T 32905), hex (in C: a contract PDF is hundreds of kilobytes)."""
    return gm.sm3_hex(data)


class ContractSealer(Protocol):
    """Signs a contract for its signer of record."""

    def seal(self, pdf: bytes, *, lease_no: str, signer_name: str, signed_at: datetime,
             sha256: str) -> bytes: ...


def stamp_text(lease_no: str, signer_name: str, signed_at: datetime, sha256: str, sm3_hash: str) -> str:
    """The visible lines of the stamp."""
    return (f"{SEAL_TEXT}\n"
            f"合同编号 Contract: {lease_no}\n"
            f"签署人 Signer: {signer_name}（短信验证码确认）\n"
            f"签署时间 Signed: {signed_at:%Y-%m-%d %H:%M:%S} {CHINA_TZ_NAME}\n"
            f"SHA-256: {sha256[:32]}\n         {sha256[32:]}\n"
            f"SM3: {sm3_hash[:32]}\n     {sm3_hash[32:]}")


class PadesSealer:
    """PAdES B-B signature with the platform's certificate; the stamp names the tenant."""

    def __init__(self, material: SigningMaterial, font_path: str):
        self.material = material
        self.font_path = font_path

    def seal(self, pdf: bytes, *, lease_no: str, signer_name: str, signed_at: datetime, sha256: str) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
            name=signer_name, reason=f"承租人签署租赁合同 {lease_no}", location="重庆")
        style = TextStampStyle(stamp_text=stamp_text(lease_no, signer_name, signed_at, sha256, sm3_hex(pdf)),
                               text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(self.font_path, 9)),
                               border_width=1)
        pdf_signer = signers.PdfSigner(
            meta, signer=self.material.signer(), stamp_style=style,
            new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=-1, box=SIGNATURE_BOX))
        out = io.BytesIO()
        outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out))
        return out.getvalue()


T = TypeVar("T")


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run pyHanko's synchronous calls, which start an event loop of their own (``asyncio.run``).

    In a thread that already runs a loop (an async server, a browser driver in the same process)
    that would fail, so the work then runs in a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
