"""Signing schemes, pluggable per connector by configuration (``scheme`` setting).

Built in: ``hmac_sha256``, ``md5_token`` (Zhejiang), ``tif`` (Guangdong), ``sm2_sm3`` (国密)
and ``oauth2`` (client credentials). A new scheme is a :class:`SigningScheme` subclass
decorated with :func:`register_scheme` in a module imported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.signing import hmac_sha256, md5_token, oauth2, sm2_sm3, tif
from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    SCHEMES,
    OutgoingRequest,
    SigningScheme,
    register_scheme,
)

BUILT_IN = (hmac_sha256, md5_token, oauth2, sm2_sm3, tif)

__all__ = [
    "EXPIRED",
    "REJECTED",
    "SCHEMES",
    "OutgoingRequest",
    "SigningScheme",
    "build_scheme",
    "register_scheme",
]


def build_scheme(name: str, credential: Mapping[str, str], options: Mapping[str, Any], base_url: str) -> SigningScheme:
    """An instance of the scheme called ``name`` (``KeyError`` if there is none)."""
    return SCHEMES[name](credential, options, base_url=base_url)
