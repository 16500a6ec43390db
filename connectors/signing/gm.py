"""国密 primitives: SM3 (GB/T 32905) and SM2 with SM3 (GB/T 32918.2, GB/T 35276), computed in C.

Signing and verifying run in GmSSL 3.2 through the ``gmssl-pyx`` extension (a C build shipped as
a wheel); this module gives them the project's formats, which are those of the pure-Python
``gmssl`` package the schemes used before, bit for bit:

* a private key is 64 hex digits, a public key the 128 hex digits of x || y (a leading ``04``
  makes 130 and is accepted);
* a signature is ``hex(r || s)``, 128 hex digits (GmSSL speaks DER; :func:`der_to_rs` and
  :func:`rs_to_der` convert);
* the signed value is ``e = SM3(Z || M)`` with ``Z = SM3(ENTL || ID || a || b || xG || yG || xA ||
  yA)`` and the default ID ``1234567812345678`` (:func:`z_value`, cached per public key).

Two things stay in pure Python (``gmssl``), because GmSSL exposes neither: deriving a public
key from a private key (:func:`derive_public_key`, once per key and cached by callers), and a
signature with a caller-chosen random value ``k`` (:func:`sign_with_k`), which only fixed test
vectors use. Everything a request costs — SM3 of the body, the signature, its verification — is
the C path.
"""

from __future__ import annotations

from functools import lru_cache

import gmssl_pyx
from gmssl import sm2 as pure_sm2

#: The default signer ID of GB/T 35276 (``ENTL`` = 128 bits).
DEFAULT_ID = b"1234567812345678"
#: The SM2 curve parameters a, b and the base point G, as they enter Z (GB/T 32918.5).
CURVE_A = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
CURVE_B = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
G_XY = bytes.fromhex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
                     "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0")


def sm3_digest(data: bytes) -> bytes:
    """``SM3(data)``, 32 bytes."""
    return gmssl_pyx.sm3_hash(data)


def sm3_hex(data: bytes) -> str:
    """``hex(SM3(data))``, lower case."""
    return gmssl_pyx.sm3_hash(data).hex()


def public_key_bytes(public_key: str) -> bytes:
    """The 64 bytes x || y of a hex public key (128 digits, or 130 with the ``04`` prefix)."""
    key = public_key.strip()
    if len(key) == 130 and key.startswith("04"):
        key = key[2:]
    raw = bytes.fromhex(key)
    if len(raw) != 64:
        raise ValueError("an SM2 public key is 64 bytes (x || y)")
    return raw


@lru_cache(maxsize=256)
def z_value(public_key: bytes, user_id: bytes = DEFAULT_ID) -> bytes:
    """``Z_A`` of GB/T 32918.2 for a signer's public key (x || y) and ID."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    return sm3_digest(entl + user_id + CURVE_A + CURVE_B + G_XY + public_key)


def message_digest(public_key: bytes, data: bytes) -> bytes:
    """``e = SM3(Z_A || M)``: what SM2 with SM3 signs."""
    return sm3_digest(z_value(public_key) + data)


def der_to_rs(der: bytes) -> str:
    """``hex(r || s)`` of a DER ``SEQUENCE { INTEGER r, INTEGER s }``."""
    if len(der) < 8 or der[0] != 0x30:
        raise ValueError("not a DER signature")
    at, parts = 2, []
    for _ in range(2):
        if der[at] != 0x02:
            raise ValueError("not a DER signature")
        length = der[at + 1]
        parts.append(int.from_bytes(der[at + 2:at + 2 + length], "big"))
        at += 2 + length
    return f"{parts[0]:064x}{parts[1]:064x}"


def _der_integer(value: int) -> bytes:
    raw = value.to_bytes(32, "big").lstrip(b"\0") or b"\0"
    if raw[0] & 0x80:
        raw = b"\0" + raw
    return b"\x02" + bytes([len(raw)]) + raw


def rs_to_der(signature: str) -> bytes:
    """The DER form of a ``hex(r || s)`` signature (128 hex digits)."""
    raw = bytes.fromhex(signature)
    if len(signature) != 128 or len(raw) != 64:
        raise ValueError("an SM2 signature is 128 hex digits")
    body = _der_integer(int.from_bytes(raw[:32], "big")) + _der_integer(int.from_bytes(raw[32:], "big"))
    return b"\x30" + bytes([len(body)]) + body


def sign(private_key: str, public_key: str, data: bytes) -> str:
    """SM2-with-SM3 signature of ``data`` (a fresh random ``k`` from GmSSL), ``hex(r || s)``."""
    digest = message_digest(public_key_bytes(public_key), data)
    return der_to_rs(gmssl_pyx.sm2_sign_sm3_digest(bytes.fromhex(private_key), digest))


def verify(public_key: str, signature: str, data: bytes) -> bool:
    """Whether ``signature`` (``hex(r || s)``) is valid for ``data`` under ``public_key``.

    A malformed key or signature is simply not valid.
    """
    try:
        key = public_key_bytes(public_key)
        der = rs_to_der(signature)
        return bool(gmssl_pyx.sm2_verify_sm3_digest(key, message_digest(key, data), der))
    except (ValueError, TypeError, gmssl_pyx.GmsslInnerError):
        return False


def derive_public_key(private_key: str) -> str:
    """The public key (x || y, 128 hex digits) of a private key — pure Python, a few ms."""
    crypt = pure_sm2.CryptSM2(private_key=private_key, public_key="")
    return crypt._kg(int(private_key, 16), crypt.ecc_table["g"])


def sign_with_k(private_key: str, public_key: str, data: bytes, k: str) -> str:
    """The signature with a fixed random value ``k`` (hex): test vectors only — pure Python."""
    key = public_key_bytes(public_key).hex()
    crypt = pure_sm2.CryptSM2(private_key=private_key, public_key="")
    crypt.public_key = key  # set after init: gmssl's constructor lstrip("04")s a key starting 04
    return crypt.sign_with_sm3(data, k)
