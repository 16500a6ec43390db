"""What every signing scheme provides, and the request it signs.

A scheme signs an :class:`OutgoingRequest` just before it is sent (again on every retry, so a
timestamp is always fresh), reads a platform answer to tell a refused signature from an expired
token (:meth:`SigningScheme.classify`), and forgets a cached token on demand. Pure functions in
each scheme module compute the signatures, so the sandbox verifies with exactly the same
arithmetic the connectors sign with.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from connectors.errors import SIGNATURE_REJECTED, MalformedAnswer, PlatformBusy

#: ``fetch(method, url, **requests_kwargs) -> requests.Response``: an unsigned HTTP call with the
#: connector's session and timeouts, for token endpoints.
Fetch = Callable[..., requests.Response]

EXPIRED = "expired"
REJECTED = "rejected"


@dataclass
class OutgoingRequest:
    """A request about to be sent; schemes add headers or query parameters to it."""

    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        """The URL path as the platform sees it (``/gongan/hukou/api/v1/czrk/query``)."""
        return urlsplit(self.url).path or "/"


def new_nonce() -> str:
    """A random 32-character hex nonce."""
    return secrets.token_hex(16)


def millis(clock: Callable[[], float]) -> str:
    """The clock's time in milliseconds since the epoch, as text."""
    return str(int(clock() * 1000))


class SigningScheme:
    """Base class; subclasses register with :func:`connectors.signing.scheme`."""

    name: ClassVar[str] = ""
    #: Credential fields the scheme needs (from ``HOUSING_CONNECTOR_CRED_<NAME>_<FIELD>``).
    credential_fields: ClassVar[tuple[str, ...]] = ()
    #: The field whose wrong value makes the platform refuse us (used by the contract kit).
    secret_field: ClassVar[str] = ""
    #: The error code reported when the platform refuses our credentials.
    rejected_code: ClassVar[str] = SIGNATURE_REJECTED
    #: How the platform's gateway refuses: ``{"rejected"|"expired": (http_status, json_body)}``.
    refusals: ClassVar[dict[str, tuple[int, dict]]] = {}

    def __init__(
        self,
        credential: Mapping[str, str],
        options: Mapping[str, Any] | None = None,
        *,
        base_url: str = "",
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = new_nonce,
    ):
        self.credential = dict(credential)
        self.options = dict(options or {})
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.nonce = nonce

    def stamp(self, seconds: bool = False) -> tuple[str, str]:
        """A fresh ``(timestamp, nonce)``: milliseconds since the epoch, or seconds."""
        timestamp = str(int(self.clock())) if seconds else millis(self.clock)
        return timestamp, self.nonce()

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        """Add the scheme's headers or parameters; may call ``fetch`` to obtain a token."""
        raise NotImplementedError

    @staticmethod
    def classify(status: int, body: Any) -> str | None:
        """``None`` for an ordinary answer, ``"expired"`` or ``"rejected"`` for a refusal."""
        return None

    def invalidate(self) -> None:
        """Forget any cached token (called after an ``expired`` answer)."""

    def endpoint(self, option: str, default_path: str) -> str:
        """The URL of a scheme endpoint: an absolute option value, or a path under the base URL."""
        value = str(self.options.get(option) or default_path)
        return value if value.startswith(("http://", "https://")) else self.base_url + value


class TokenScheme(SigningScheme):
    """A scheme that signs with a token fetched from the platform and cached until it ends.

    Subclasses implement :meth:`fetch_token`; the token is fetched again ``refresh_margin``
    seconds (option, default 60) before it ends, and at once after :meth:`invalidate`.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._ends_at = 0.0

    def fetch_token(self, fetch: Fetch) -> tuple[str, float]:
        """Ask the platform for a token: ``(token, end time in epoch seconds)``."""
        raise NotImplementedError

    def token(self, fetch: Fetch) -> str:
        """The cached token, fetched when missing or about to end."""
        margin = float(self.options.get("refresh_margin", 60))
        with self._lock:
            if self._token is None or self.clock() >= self._ends_at - margin:
                self._token, self._ends_at = self.fetch_token(fetch)
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None
            self._ends_at = 0.0


def token_answer(response: requests.Response, endpoint: str) -> Any:
    """The JSON body of a token endpoint's answer; raises on 5xx and on a body that is not JSON."""
    if response.status_code >= 500:
        raise PlatformBusy(f"{endpoint} answered HTTP {response.status_code}", cause=f"http_{response.status_code}")
    body = json_body(response)
    if body is None:
        raise MalformedAnswer(f"{endpoint} did not answer JSON")
    return body


#: Scheme name → class. Built-in schemes register when :mod:`connectors.signing` is imported.
SCHEMES: dict[str, type[SigningScheme]] = {}


def register_scheme(cls: type[SigningScheme]) -> type[SigningScheme]:
    """Class decorator: make a scheme selectable by its ``name`` in connector settings."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no scheme name")
    existing = SCHEMES.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"signing scheme {cls.name!r} is registered twice")
    SCHEMES[cls.name] = cls
    return cls


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body of a response, or ``None`` when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None
