"""The platform's contract-signing key and certificate.

``HOUSING_CONTRACT_SIGNING_KEY_FILE`` names a PKCS#12 file (``.p12``/``.pfx``, password in
``HOUSING_CONTRACT_SIGNING_KEY_PASSWORD``) or a PEM private key, whose certificate is in
``HOUSING_CONTRACT_SIGNING_CERT_FILE`` (or in the same PEM file). In development, without a
setting, a self-signed certificate is generated once into ``instance/contract-signing.pem``;
production refuses to start without a key (:meth:`app.config.Settings.problems`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.config import ROOT

DEV_FILE = ROOT / "instance" / "contract-signing.pem"
DEV_SUBJECT = "重庆市住房保障合同签章（开发环境）"


class SigningKeyError(RuntimeError):
    """The configured key or certificate cannot be read."""


@dataclass(frozen=True)
class SigningMaterial:
    """A private key with its certificate (and chain), ready for pyHanko."""

    key_der: bytes
    cert_der: bytes
    chain_der: tuple[bytes, ...] = ()

    @property
    def cert_pem(self) -> bytes:
        return x509.load_der_x509_certificate(self.cert_der).public_bytes(serialization.Encoding.PEM)

    def signer(self) -> signers.SimpleSigner:
        cert = asn1_x509.Certificate.load(self.cert_der)
        chain = [asn1_x509.Certificate.load(c) for c in self.chain_der]
        return signers.SimpleSigner(signing_cert=cert, signing_key=asn1_keys.PrivateKeyInfo.load(self.key_der),
                                    cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


def _der_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _from_pkcs12(data: bytes, password: str) -> SigningMaterial:
    key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    if key is None or cert is None:
        raise SigningKeyError("the PKCS#12 file holds no key and certificate")
    return SigningMaterial(_der_key(key), cert.public_bytes(serialization.Encoding.DER),
                           tuple(c.public_bytes(serialization.Encoding.DER) for c in extra or ()))


def _from_pem(key_data: bytes, cert_data: bytes, password: str) -> SigningMaterial:
    key = serialization.load_pem_private_key(key_data, password.encode() if password else None)
    certs = x509.load_pem_x509_certificates(cert_data)
    return SigningMaterial(_der_key(key), certs[0].public_bytes(serialization.Encoding.DER),
                           tuple(c.public_bytes(serialization.Encoding.DER) for c in certs[1:]))


def generate_self_signed(subject: str = DEV_SUBJECT, days: int = 3650) -> bytes:
    """A PEM file with a new RSA key and its self-signed certificate (development only)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "housing-approval"),
                      x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    start = datetime.now(UTC) - timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))


def dev_file(path: Path = DEV_FILE) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".contract-signing-")
        with os.fdopen(fd, "wb") as out:
            out.write(generate_self_signed())
        os.replace(tmp, path)  # atomic: concurrent first uses keep one pair
    return path


def load_material(settings) -> SigningMaterial:
    """The key and certificate the settings name (the development pair when none is set)."""
    key_file = getattr(settings, "contract_signing_key_file", "")
    cert_file = getattr(settings, "contract_signing_cert_file", "")
    password = getattr(settings, "contract_signing_key_password", "")
    if not key_file:
        if not getattr(settings, "is_development", False):
            raise SigningKeyError("HOUSING_CONTRACT_SIGNING_KEY_FILE is not set")
        key_file = str(dev_file())
    try:
        data = Path(key_file).read_bytes()
        if key_file.lower().endswith((".p12", ".pfx")):
            return _from_pkcs12(data, password)
        return _from_pem(data, Path(cert_file).read_bytes() if cert_file else data, password)
    except (OSError, ValueError, IndexError) as exc:
        raise SigningKeyError(f"cannot read the contract signing key {key_file!r}: {exc}") from None
