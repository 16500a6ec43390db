"""OAuth 2.0 client credentials (RFC 6749 §4.4) with a cached bearer token.

``POST <token_url>`` with HTTP Basic ``client_id:client_secret`` and the form
``grant_type=client_credentials`` (plus ``scope`` when configured) answers
``{"access_token": …, "token_type": "Bearer", "expires_in": <seconds>}``. Data calls carry
``Authorization: Bearer <token>``. The token is cached until ``refresh_margin`` seconds before
it expires, and fetched again at once when a call is answered ``401 invalid_token``.
A ``401 invalid_client`` (from the token endpoint or a data call) means wrong credentials.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

from connectors.errors import AUTHENTICATION_FAILED, AuthRefused, MalformedAnswer, PlatformBusy
from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    SigningScheme,
    json_body,
    register_scheme,
)

REFUSALS = {
    REJECTED: (401, {"error": "invalid_client", "error_description": "Client authentication failed"}),
    EXPIRED: (401, {"error": "invalid_token", "error_description": "The access token expired"}),
}


def basic_auth(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` header value for HTTP Basic client authentication."""
    raw = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def classify_refusal(status: int, body: Any) -> str | None:
    """``invalid_token`` → expired; any other 401/403 with an OAuth error → rejected."""
    if status not in (401, 403) or not isinstance(body, dict) or "error" not in body:
        return None
    return EXPIRED if body.get("error") == "invalid_token" else REJECTED


@register_scheme
class OAuth2ClientCredentialsScheme(SigningScheme):
    """Fetches and caches one bearer token per connector instance."""

    name = "oauth2"
    refusals = REFUSALS
    credential_fields = ("client_id", "client_secret")
    secret_field = "client_secret"
    rejected_code = AUTHENTICATION_FAILED

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def _access_token(self, fetch: Fetch) -> str:
        margin = float(self.options.get("refresh_margin", 60))
        with self._lock:
            if self._token and self.clock() < self._expires_at - margin:
                return self._token
            form = {"grant_type": "client_credentials"}
            if self.options.get("scope"):
                form["scope"] = str(self.options["scope"])
            response = fetch(
                "POST",
                self.endpoint("token_path", "/oauth/token"),
                data=form,
                headers={"Authorization": basic_auth(self.credential["client_id"], self.credential["client_secret"])},
            )
            body = json_body(response)
            if response.status_code >= 500:
                raise PlatformBusy(f"token endpoint answered HTTP {response.status_code}")
            if response.status_code in (400, 401, 403):
                error = body.get("error") if isinstance(body, dict) else response.status_code
                raise AuthRefused(REJECTED, f"token endpoint refused the client credentials: {error}")
            if not isinstance(body, dict) or "access_token" not in body:
                raise MalformedAnswer("token endpoint answer has no access_token")
            self._token = str(body["access_token"])
            self._expires_at = self.clock() + float(body.get("expires_in", 300))
            return self._token

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        request.headers["Authorization"] = f"Bearer {self._access_token(fetch)}"

    def classify(self, status: int, body: Any) -> str | None:
        return classify_refusal(status, body)

    def invalidate(self) -> None:
        with self._lock:
            self._token = None
            self._expires_at = 0.0
