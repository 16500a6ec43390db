"""The connector contract, as checks any connector can be run through against the sandbox.

``ContractKit(base_url).check_all(MyConnector)`` runs every check that applies on every operation of the
connector, raising ``AssertionError`` with a readable message on the first breach:

* ``answer_schema`` — the result validates against the declared result schema; a data source
  answers every member given, in order, with every fact key of its ``Facts`` schema;
* ``signature`` — a wrong secret is refused by the platform and reported as the scheme's
  non-retryable code (``SignatureRejected`` / ``AuthenticationFailed``), without retries;
* ``retries`` — transient 5xx answers are retried and survived; persistent ones end in a
  retryable ``SourceUnavailable`` after exactly ``retries + 1`` attempts;
* ``timeout`` — a platform that does not answer costs a bounded time, then ``SourceUnavailable``;
* ``evidence_masking`` — no ID number or mobile number of any fixture person appears in the
  result's evidence;
* ``declared_params_only`` — parameters the operation does not declare (a whole case, extra
  member fields) never reach the platform;
* ``idempotency`` — every request carries an idempotency key derived from the job's key, the
  same on a repeated job attempt;
* ``malformed`` — an answer cut off mid-body is retried and survived; persistent ones end in a
  retryable ``MalformedResponse`` after ``retries + 1`` attempts;
* ``latency`` — a slow answer within the timeout is waited for and used;
* ``expired_token`` — an "expired" refusal is answered by one token refresh (token schemes) or
  one re-signed request (the others), and the call succeeds;
* ``token_endpoint`` (token schemes only: ``md5_token``, ``oauth2``) — a token endpoint failing
  with 5xx is retried and survived; persistently, it ends in a retryable ``SourceUnavailable``
  with ``stage: "token"`` before any data request, and the connector recovers once it clears.

:func:`applicable_checks` says which checks apply to a connector (its signing scheme).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.engine.operators import Operator, OperatorContext, OperatorError, registry
from connectors.base.connector import Connector
from connectors.base.credentials import env_token
from connectors.base.source import VERDICTS, SourceConnector
from connectors.errors import MALFORMED_RESPONSE, SOURCE_UNAVAILABLE
from connectors.sandbox import fixtures
from connectors.sandbox.client import SandboxAdmin
from connectors.signing import SCHEMES
from connectors.signing.base import TokenScheme
from connectors.signing.sm2_sm3 import public_key_of
from connectors.testing import sandbox_settings

CHECKS = (
    "answer_schema",
    "signature",
    "retries",
    "timeout",
    "evidence_masking",
    "declared_params_only",
    "idempotency",
    "malformed",
    "latency",
    "expired_token",
    "token_endpoint",
)
#: Checks that only apply to schemes fetching a token from the platform.
TOKEN_CHECKS = ("token_endpoint",)
LATENCY_SECONDS = 0.2


def uses_token(cls: type[Connector]) -> bool:
    """Whether the connector's default scheme fetches a token (``md5_token``, ``oauth2``)."""
    return issubclass(SCHEMES[cls.signing], TokenScheme)


def applicable_checks(cls: type[Connector]) -> tuple[str, ...]:
    """The checks of :data:`CHECKS` that apply to ``cls``."""
    return tuple(c for c in CHECKS if c not in TOKEN_CHECKS or uses_token(cls))
MARKER = "UNDECLARED-PARAMETER-7f3a"
WRONG_SM2_KEY = "1F3A" * 16


def _every_fixture_secret() -> list[str]:
    """Every ID number and phone number in the fixtures (none may appear unmasked in evidence)."""
    values: list[str] = []
    for item in fixtures.households():
        values.append(item["declared"]["phone"])
        for person in [*item["declared"]["members"], *item.get("undeclared", [])]:
            values.append(person["id_number"])
    return values


class ContractKit:
    """Runs the contract checks against a running sandbox at ``base_url``."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.admin = SandboxAdmin(base_url)

    # plumbing -------------------------------------------------------------------------
    def operators(self, cls: type[Connector]) -> list[Operator]:
        """The registered operators of a connector."""
        return [registry.get(f"{cls.name}/{name}") for name in cls.operation_specs()]

    def sample(self, cls: type[Connector], operation: str) -> dict[str, Any]:
        """Sample parameters: a fixture household's members, or the connector's ``samples``."""
        if issubclass(cls, SourceConnector) and operation == "check":
            return {"members": fixtures.declared_members(cls.sample_household)}
        assert operation in cls.samples, f"{cls.name}: no samples[{operation!r}] for the contract kit"
        return json.loads(json.dumps(cls.samples[operation]))

    def settings(self, **extra: str):
        """Fresh settings (so a fresh connector instance and breaker) with fast timeouts."""
        return sandbox_settings(self.base_url, extra)

    def call(self, op: Operator, params: dict[str, Any], settings=None, key: str | None = None) -> dict:
        """Call an operator the way the job runner does."""
        key = key or f"contract-{uuid.uuid4().hex}"
        ctx = OperatorContext(idempotency_key=key, settings=settings or self.settings())
        return op.func(op.load_params(params), ctx)

    def survive(self, op: Operator, params: dict[str, Any], settings, what: str) -> dict:
        """Call ``op``, which must succeed despite ``what``; a readable failure otherwise."""
        try:
            return self.call(op, params, settings)
        except OperatorError as exc:
            raise AssertionError(f"{op.name}: {what} were not survived: {exc.code}: {exc.message}") from None

    def expect_error(self, func: Callable[[], Any]) -> OperatorError:
        """Run ``func`` and return the ``OperatorError`` it must raise."""
        try:
            func()
        except OperatorError as exc:
            return exc
        raise AssertionError("expected an OperatorError, the call succeeded")

    def _each(self, cls: type[Connector], check: Callable[[Operator, dict[str, Any]], None]) -> None:
        for op in self.operators(cls):
            self.admin.clear_faults()
            try:
                check(op, self.sample(cls, op.name.split("/", 1)[1]))
            finally:
                self.admin.clear_faults()

    def check_all(self, cls: type[Connector]) -> None:
        """Every check that applies to the connector."""
        for name in applicable_checks(cls):
            self.run(name, cls)

    def retries_of(self, cls: type[Connector], settings) -> int:
        """The in-call retries ``settings`` give the connector."""
        return int(settings.extra.get(f"HOUSING_CONNECTOR_{env_token(cls.name)}_RETRIES", 2))

    def faulted(self, cls: type[Connector], fault: str) -> list[dict[str, Any]]:
        """The logged requests of the connector's system that ``fault`` hit."""
        return [r for r in self.admin.requests(cls.name) if r.get("fault") == fault]

    def run(self, check: str, cls: type[Connector]) -> None:
        """One named check."""
        getattr(self, f"check_{check}")(cls)

    # checks ------------------------------------------------------------------------------
    def check_answer_schema(self, cls: type[Connector]) -> None:
        """The result validates; a source answers every member with every fact."""

        def check(op: Operator, params: dict[str, Any]) -> None:
            result = self.call(op, params)
            errors = op.result_schema().validate(result)
            assert not errors, f"{op.name}: result does not match its schema: {errors}"
            if not issubclass(cls, SourceConnector):
                assert result["receipt_id"], f"{op.name}: empty receipt id"
                return
            assert result["source"] == cls.name and result["source_name"] == cls.title, f"{op.name}: source names"
            datetime.fromisoformat(result["checked_at"])
            given = [m["id_number"] for m in params["members"]]
            answered = [m["id_number"] for m in result["members"]]
            assert answered == given, f"{op.name}: members answered {answered}, given {given}"
            fact_keys = set(cls.Facts().fields)
            for member in result["members"]:
                assert member["verdict"] in VERDICTS, f"{op.name}: verdict {member['verdict']!r}"
                assert set(member["facts"]) == fact_keys, f"{op.name}: fact keys {sorted(member['facts'])}"
                assert any("\u4e00" <= ch <= "\u9fff" for ch in member["summary"]), f"{op.name}: summary not Chinese"

        self._each(cls, check)

    def check_signature(self, cls: type[Connector]) -> None:
        """A wrong secret is refused by the platform and reported as a non-retryable code."""
        scheme = SCHEMES[cls.signing]
        prefix = f"HOUSING_CONNECTOR_CRED_{env_token('sandbox_' + cls.name)}_"
        wrong = {prefix + scheme.secret_field.upper(): "wrong-" + uuid.uuid4().hex}
        if scheme.secret_field == "private_key":
            wrong = {prefix + "PRIVATE_KEY": WRONG_SM2_KEY, prefix + "PUBLIC_KEY": public_key_of(WRONG_SM2_KEY)}

        def check(op: Operator, params: dict[str, Any]) -> None:
            self.admin.clear_requests()
            exc = self.expect_error(lambda: self.call(op, params, self.settings(**wrong)))
            assert exc.code == scheme.rejected_code, f"{op.name}: wrong key gave {exc.code}: {exc.message}"
            assert not exc.retryable, f"{op.name}: a refused signature must not be retried"
            logged = self.admin.requests(cls.name)
            assert 1 <= len(logged) <= 2, f"{op.name}: expected one refused attempt, the sandbox saw {len(logged)}"

        self._each(cls, check)

    def check_retries(self, cls: type[Connector]) -> None:
        """Transient 5xx are survived; persistent ones end in SourceUnavailable after retries + 1."""

        self._transient_then_persistent(cls, "5xx", SOURCE_UNAVAILABLE)

    def check_malformed(self, cls: type[Connector]) -> None:
        """Bodies cut off mid-JSON are retried and survived; persistent ones → MalformedResponse."""
        self._transient_then_persistent(cls, "malformed", MALFORMED_RESPONSE)

    def _transient_then_persistent(self, cls: type[Connector], fault: str, code: str) -> None:
        """``retries`` faulted answers are survived; a persistent fault ends in ``code`` after
        exactly ``retries + 1`` attempts, retryable."""

        def check(op: Operator, params: dict[str, Any]) -> None:
            settings = self.settings()
            retries = self.retries_of(cls, settings)
            self.admin.clear_requests()
            self.admin.inject(cls.name, fault, times=retries)
            self.survive(op, params, settings, f"{retries} {fault} answers")
            failed = self.faulted(cls, fault)
            assert len(failed) == retries, f"{op.name}: {len(failed)} {fault} requests, expected {retries}"
            self.admin.clear_requests()
            self.admin.inject(cls.name, fault, times=None)
            exc = self.expect_error(lambda: self.call(op, params, self.settings()))
            assert exc.code == code and exc.retryable, f"{op.name}: persistent {fault} gave {exc.code}"
            assert exc.details.get("attempts") == retries + 1, f"{op.name}: details {exc.details}"
            attempts = self.faulted(cls, fault)
            assert len(attempts) == retries + 1, f"{op.name}: {len(attempts)} attempts, expected {retries + 1}"

        self._each(cls, check)

    def check_latency(self, cls: type[Connector]) -> None:
        """A slow answer within the timeout is waited for and used."""

        def check(op: Operator, params: dict[str, Any]) -> None:
            self.admin.clear_requests()
            self.admin.inject(cls.name, "latency", times=1, seconds=LATENCY_SECONDS)
            started = time.monotonic()
            result = self.survive(op, params, self.settings(), f"a {LATENCY_SECONDS} s latency")
            elapsed = time.monotonic() - started
            assert elapsed >= LATENCY_SECONDS, f"{op.name}: answered in {elapsed:.2f} s despite the latency"
            assert not op.result_schema().validate(result), f"{op.name}: a slow answer gave an invalid result"
            slow = self.faulted(cls, "latency")
            assert [r["status"] for r in slow] == [200], f"{op.name}: slow requests {slow}"
            assert len(self.admin.requests(cls.name)) == len(self._normal_requests(cls, op, params)), (
                f"{op.name}: a slow answer was retried"
            )

        self._each(cls, check)

    def _normal_requests(self, cls: type[Connector], op: Operator, params: dict[str, Any]) -> list[dict]:
        """The requests a fault-free call sends (the log is cleared before and after)."""
        self.admin.clear_requests()
        self.call(op, params)
        logged = self.admin.requests(cls.name)
        self.admin.clear_requests()
        return logged

    def check_expired_token(self, cls: type[Connector]) -> None:
        """An "expired" refusal costs one token refresh (or one re-signed request), then succeeds."""
        token_scheme = uses_token(cls)

        def check(op: Operator, params: dict[str, Any]) -> None:
            settings = self.settings()
            self.call(op, params, settings)  # holds a token now (token schemes)
            normal = self._normal_requests(cls, op, params)
            self.admin.inject(cls.name, "expired_token", times=1)
            result = self.survive(op, params, settings, "an expired token")
            assert not op.result_schema().validate(result), f"{op.name}: invalid result after a refresh"
            logged = self.admin.requests(cls.name)
            refused = [r for r in logged if r.get("fault") == "expired_token"]
            assert len(refused) == 1, f"{op.name}: {len(refused)} expired refusals"
            token_requests = [r for r in logged if r["route"] in ("/refreshTokenByKey", "/oauth/token")]
            if token_scheme:
                assert len(token_requests) == 1, f"{op.name}: {len(token_requests)} token requests after expiry"
            data_requests = [r for r in logged if r not in token_requests]
            normal_data = [r for r in normal if r["route"] not in ("/refreshTokenByKey", "/oauth/token")]
            assert len(data_requests) == len(normal_data) + 1, f"{op.name}: not exactly one repeated request"

        self._each(cls, check)

    def check_token_endpoint(self, cls: type[Connector]) -> None:
        """A failing token endpoint is retried; persistently, a retryable error before any data call."""
        assert uses_token(cls), f"{cls.name}: its {cls.signing} scheme has no token endpoint"
        token_routes = ("/refreshTokenByKey", "/oauth/token")

        def check(op: Operator, params: dict[str, Any]) -> None:
            settings = self.settings()
            retries = self.retries_of(cls, settings)
            self.admin.clear_requests()
            self.admin.inject(cls.name, "5xx", times=retries, scope="token")
            self.survive(op, params, settings, f"{retries} token endpoint 5xx answers")
            failed = self.faulted(cls, "5xx")
            assert len(failed) == retries and all(r["route"] in token_routes for r in failed), (
                f"{op.name}: token endpoint faults {[(r['route'], r['status']) for r in failed]}"
            )
            settings = self.settings()
            self.admin.clear_requests()
            self.admin.inject(cls.name, "5xx", times=None, scope="token")
            exc = self.expect_error(lambda: self.call(op, params, settings))
            assert exc.code == SOURCE_UNAVAILABLE and exc.retryable, f"{op.name}: got {exc.code}"
            assert exc.details.get("stage") == "token", f"{op.name}: details {exc.details}"
            routes = {r["route"] for r in self.admin.requests(cls.name)}
            assert routes <= set(token_routes), f"{op.name}: data requests went out without a token: {routes}"
            self.admin.clear_faults()
            self.survive(op, params, settings, "a token endpoint that answers again")  # the same connector

        self._each(cls, check)

    def check_timeout(self, cls: type[Connector]) -> None:
        """A platform that holds its answer costs a bounded time, then SourceUnavailable."""

        def check(op: Operator, params: dict[str, Any]) -> None:
            settings = self.settings(HOUSING_CONNECTOR_DEFAULT_TIMEOUT="0.15")
            self.admin.inject(cls.name, "timeout", times=None, seconds=1.0)
            started = time.monotonic()
            exc = self.expect_error(lambda: self.call(op, params, settings))
            elapsed = time.monotonic() - started
            assert exc.code == SOURCE_UNAVAILABLE and exc.retryable, f"{op.name}: got {exc.code}"
            assert exc.details.get("cause") == "timeout", f"{op.name}: cause {exc.details}"
            assert elapsed < 2.5, f"{op.name}: took {elapsed:.2f} s to give up"

        self._each(cls, check)

    def check_evidence_masking(self, cls: type[Connector]) -> None:
        """No fixture ID number or phone number appears in the evidence or details."""
        secrets = _every_fixture_secret()

        def check(op: Operator, params: dict[str, Any]) -> None:
            result = self.call(op, params)
            assert result["evidence"], f"{op.name}: no evidence kept"
            text = json.dumps({k: result.get(k) for k in ("evidence", "details")}, ensure_ascii=False)
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{op.name}: unmasked personal numbers in evidence: {len(leaked)}"

        self._each(cls, check)

    def check_declared_params_only(self, cls: type[Connector]) -> None:
        """Undeclared parameters and member fields never reach the platform."""

        def check(op: Operator, params: dict[str, Any]) -> None:
            polluted = {**params, "case": {"notes": MARKER}, "applicant_phone": MARKER, MARKER: MARKER}
            if "members" in polluted:
                polluted["members"] = [{**m, "income": MARKER, "phone": MARKER} for m in polluted["members"]]
            assert MARKER not in json.dumps(op.load_params(polluted), default=str), f"{op.name}: load_params kept it"
            self.admin.clear_requests()
            ctx = OperatorContext(idempotency_key=f"contract-{uuid.uuid4().hex}", settings=self.settings())
            op.func(polluted, ctx)  # the connector itself must drop them too
            logged = json.dumps(self.admin.requests(cls.name), ensure_ascii=False)
            assert MARKER not in logged, f"{op.name}: an undeclared parameter reached the platform"

        self._each(cls, check)

    def check_idempotency(self, cls: type[Connector]) -> None:
        """Requests carry ``<job key>:<n>``, the same sequence when the job is attempted again."""

        def check(op: Operator, params: dict[str, Any]) -> None:
            key = f"contract-idem-{uuid.uuid4().hex}"
            runs = []
            for _ in range(2):
                self.admin.clear_requests()
                self.call(op, params, self.settings(), key=key)
                runs.append([r["idempotency_key"] for r in self.admin.requests(cls.name) if r["idempotency_key"]])
            assert runs[0], f"{op.name}: no request carried an idempotency key"
            assert all(k.startswith(key + ":") for k in runs[0]), f"{op.name}: keys {runs[0][:3]}"
            assert runs[0] == runs[1], f"{op.name}: keys differ between attempts"

        self._each(cls, check)
