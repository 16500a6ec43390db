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
from typing import Any

from connectors.errors import AUTHENTICATION_FAILED, AuthRefused, MalformedAnswer
from connectors.signing.base import (
    EXPIRED,
    REJECTED,
    Fetch,
    OutgoingRequest,
    TokenScheme,
    json_body,
    register_scheme,
    token_answer,
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
class OAuth2ClientCredentialsScheme(TokenScheme):
    """Fetches and caches one bearer token per connector instance."""

    name = "oauth2"
    refusals = REFUSALS
    credential_fields = ("client_id", "client_secret")
    secret_field = "client_secret"
    rejected_code = AUTHENTICATION_FAILED

    def fetch_token(self, fetch: Fetch) -> tuple[str, float]:
        """Client credentials grant: the access token and its end time."""
        form = {"grant_type": "client_credentials"}
        if self.options.get("scope"):
            form["scope"] = str(self.options["scope"])
        authorization = basic_auth(self.credential["client_id"], self.credential["client_secret"])
        response = fetch("POST", self.endpoint("token_path", "/oauth/token"), data=form,
                         headers={"Authorization": authorization})
        if response.status_code in (400, 401, 403):
            body = json_body(response)
            error = body.get("error") if isinstance(body, dict) else response.status_code
            raise AuthRefused(REJECTED, f"token endpoint refused the client credentials: {error}")
        body = token_answer(response, "token endpoint")
        if not isinstance(body, dict) or "access_token" not in body:
            raise MalformedAnswer("token endpoint answer has no access_token")
        return str(body["access_token"]), self.clock() + float(body.get("expires_in", 300))

    def sign(self, request: OutgoingRequest, fetch: Fetch) -> None:
        request.headers["Authorization"] = f"Bearer {self.token(fetch)}"

    classify = staticmethod(classify_refusal)
