"""Lease contracts that are really signed.

* :mod:`.render` — the contract PDF, drawn with reportlab and an embedded CJK font subset.
* :mod:`.keys` — the platform's signing key and certificate (PKCS#12 or PEM; a self-signed
  development certificate is generated on first use).
* :mod:`.seal` — a PAdES signature (pyHanko) with a visible stamp: the platform's seal text,
  the signer of record, the time and the contract's SHA-256 and SM3 hashes.
* :mod:`.verify` — is a signed PDF intact: signature valid and hash equal to the stored one.
* :mod:`.codes` — one-time SMS codes (hashed, expiring, limited tries) that the tenant of record
  enters to sign.
* :mod:`.signing` — the service: send a code, check it when the signing task is completed.
* :mod:`.web` — the public verification page.

The signature is behind :class:`.seal.ContractSealer`, so an SM2 seal (GB/T 38540) can take its
place where a platform requires 国密 (see docs/adr/0005-contract-signatures.md).
"""
