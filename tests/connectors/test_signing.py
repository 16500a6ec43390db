"""Signing schemes against fixed vectors, and their token caches."""

from __future__ import annotations

import gmssl_pyx
import pytest

from app.engine.operators import load_operators
from connectors.base.credentials import DEMO_CREDENTIALS
from connectors.errors import AuthRefused
from connectors.signing import (
    EXPIRED,
    REJECTED,
    SCHEMES,
    OutgoingRequest,
    build_scheme,
    gm,
    hmac_sha256,
    md5_token,
    oauth2,
    sm2_sm3,
    tif,
)

load_operators()  # connectors register their demo credentials
NONCE = "0123456789abcdef0123456789abcdef"
CLOCK = 1_700_000_000.0


class FakeResponse:
    def __init__(self, status: int, body):
        self.status_code = status
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError("not json")
        return self._body


def fixed(scheme: str, credential: dict, options: dict | None = None, base_url: str = "http://platform"):
    return SCHEMES[scheme](credential, options or {}, base_url=base_url, clock=lambda: CLOCK, nonce=lambda: NONCE)


def test_hmac_sha256_vector():
    text = hmac_sha256.string_to_sign(
        "post", "/gongan/hukou/api/v1/czrk/query", "", "1700000000000", NONCE, b'{"sfzh":"x"}'
    )
    assert text.split("\n")[:5] == ["POST", "/gongan/hukou/api/v1/czrk/query", "", "1700000000000", NONCE]
    assert text.endswith("6dc850120dab4cd5cdd057f84d4f9f8e85f5010a3831baa2f5ac725731c18b0c")
    assert hmac_sha256.signature("demo-secret", text) == (
        "b6a4bc5c6a8ff32b2e5d5d053b6ee157f7b2e1a01b1cb9b96c518ac9eee0b51c"
    )


def test_hmac_scheme_headers():
    request = OutgoingRequest("POST", "http://platform/gongan/hukou/api/v1/czrk/query", body=b'{"sfzh":"x"}')
    fixed("hmac_sha256", {"app_key": "HJ", "app_secret": "demo-secret"}).sign(request, fetch=None)
    assert request.headers == {
        "X-App-Key": "HJ",
        "X-Timestamp": "1700000000000",
        "X-Nonce": NONCE,
        "X-Signature": "b6a4bc5c6a8ff32b2e5d5d053b6ee157f7b2e1a01b1cb9b96c518ac9eee0b51c",
    }
    assert hmac_sha256.canonical_query({"b": "2", "a": "1"}) == "a=1&b=2"


def test_md5_vector_and_secret_refresh():
    assert md5_token.md5_sign("appKey", "appSecret", "1700000000000") == "d992aad342317777a0153b7bf120b6d6"
    calls = []

    def fetch(method, url, **kwargs):
        calls.append((method, url, kwargs["params"]))
        return FakeResponse(200, {"code": "00", "datas": {"requestSecret": f"s{len(calls)}",
                                                          "requestSecretEndTime": int((CLOCK + 3600) * 1000)}})

    scheme = fixed("md5_token", {"app_key": "appKey", "app_secret": "appSecret"})
    first = OutgoingRequest("GET", "http://platform/api")
    scheme.sign(first, fetch)
    assert calls[0][1] == "http://platform/refreshTokenByKey"
    assert calls[0][2]["sign"] == "d992aad342317777a0153b7bf120b6d6"
    assert first.params == {"appKey": "appKey", "requestTime": "1700000000000",
                            "sign": md5_token.md5_sign("appKey", "s1", "1700000000000")}
    scheme.sign(OutgoingRequest("GET", "http://platform/api"), fetch)
    assert len(calls) == 1, "the request secret is cached until it ends"
    scheme.invalidate()
    scheme.sign(OutgoingRequest("GET", "http://platform/api"), fetch)
    assert len(calls) == 2, "a refused secret is fetched again"
    assert md5_token.classify_refusal(200, {"code": "97"}) == EXPIRED
    assert md5_token.classify_refusal(200, {"code": "98"}) == REJECTED
    assert md5_token.classify_refusal(200, {"code": "00"}) is None


def test_md5_secret_expiry_triggers_refresh():
    now = [CLOCK]
    calls = []

    def fetch(method, url, **kwargs):
        calls.append(url)
        return FakeResponse(200, {"code": "00", "datas": {"requestSecret": "s",
                                                          "requestSecretEndTime": int((now[0] + 120) * 1000)}})

    scheme = SCHEMES["md5_token"]({"app_key": "k", "app_secret": "s"}, {"refresh_margin": 60},
                                  base_url="http://p", clock=lambda: now[0])
    scheme.sign(OutgoingRequest("GET", "http://p/x"), fetch)
    now[0] += 30
    scheme.sign(OutgoingRequest("GET", "http://p/x"), fetch)
    assert len(calls) == 1
    now[0] += 40  # inside the refresh margin before the end time
    scheme.sign(OutgoingRequest("GET", "http://p/x"), fetch)
    assert len(calls) == 2


def test_md5_refresh_refused_is_rejected():
    scheme = fixed("md5_token", {"app_key": "k", "app_secret": "wrong"})
    with pytest.raises(AuthRefused) as info:
        scheme.sign(OutgoingRequest("GET", "http://platform/x"),
                    lambda *a, **k: FakeResponse(200, {"code": "98", "msg": "签名错误"}))
    assert info.value.kind == REJECTED


def test_tif_vector_and_headers():
    assert tif.tif_signature("1700000000", "token", "nonce") == (
        "ba864fe8ccab46b8d039e89c91916b5c1701c7a4fdf5bdab69da607e34568e9f"
    )
    request = OutgoingRequest("POST", "http://platform/renshe/x")
    fixed("tif", {"paas_id": "renshe_demo", "paas_token": "token"}).sign(request, fetch=None)
    assert request.headers["x-tif-timestamp"] == "1700000000"
    assert request.headers["x-tif-signature"] == tif.tif_signature("1700000000", "token", NONCE)
    assert tif.classify_refusal(401, {"errcode": 20002}) == EXPIRED
    assert tif.classify_refusal(401, {"errcode": 20001}) == REJECTED
    assert tif.classify_refusal(200, {"errcode": 0}) is None


def test_sm3_standard_vectors():
    # GB/T 32905-2016, appendix A
    assert sm2_sm3.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm2_sm3.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm2_fixed_k_vector_and_verification():
    cred = DEMO_CREDENTIALS["sandbox_tax"]
    assert sm2_sm3.public_key_of(cred["private_key"]) == cred["public_key"]
    data = sm2_sm3.string_to_sign("SW-DEMO-APP", "1700000000000", "nonce", "post", "/shuiwu/api/v1/grsds/sbxx",
                                  sm2_sm3.sm3_hex(b"{}"))
    k = "6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F"
    signature = sm2_sm3.sm2_sign(cred["private_key"], data, cred["public_key"], k=k)
    assert signature == (
        "419d02f343d43c2a4c4f149a9365432346ffa0da94362d17d48a64c53acc8862"
        "181fdefbee0dd725ce8abbf3c7cd0eb11e6deac363c17e6aa57059074627a2a3"
    )
    assert sm2_sm3.sm2_verify(cred["public_key"], signature, data)
    assert sm2_sm3.sm2_verify("04" + cred["public_key"], signature, data)
    assert not sm2_sm3.sm2_verify(cred["public_key"], signature, data + b"x")
    other = DEMO_CREDENTIALS["sandbox_medical_insurance"]["public_key"]
    assert not sm2_sm3.sm2_verify(other, signature, data)
    assert not sm2_sm3.sm2_verify(cred["public_key"], "not-hex", data)


def _pure_verify(public_key: str, signature: str, data: bytes) -> bool:
    """The pure-Python reference (``gmssl``) the scheme used before the C path."""
    from gmssl import sm2

    crypt = sm2.CryptSM2(private_key="", public_key="")
    crypt.public_key = public_key
    return bool(crypt.verify_with_sm3(signature, data))


@pytest.mark.parametrize("source", ["sandbox_tax", "sandbox_medical_insurance"])
def test_sm2_c_path_interoperates_with_the_pure_python_reference(source):
    cred = DEMO_CREDENTIALS[source]
    for n in range(8):
        data = b"message %d " % n + bytes(range(n * 7))
        made_in_c = sm2_sm3.sm2_sign(cred["private_key"], data, cred["public_key"])
        assert len(made_in_c) == 128 and made_in_c == made_in_c.lower()
        assert made_in_c != sm2_sm3.sm2_sign(cred["private_key"], data, cred["public_key"])  # a fresh k each time
        assert _pure_verify(cred["public_key"], made_in_c, data)
        made_in_python = gm.sign_with_k(cred["private_key"], cred["public_key"], data, "%064x" % (12345 + n))
        assert sm2_sm3.sm2_verify(cred["public_key"], made_in_python, data)
        assert not sm2_sm3.sm2_verify(cred["public_key"], made_in_python, data + b"!")
    # Z uses the default ID 1234567812345678: a digest without Z does not verify
    digest_only = gm.der_to_rs(gmssl_pyx.sm2_sign_sm3_digest(bytes.fromhex(cred["private_key"]), gm.sm3_digest(b"m")))
    assert not sm2_sm3.sm2_verify(cred["public_key"], digest_only, b"m")


def test_sm2_verify_refuses_malformed_input_quietly():
    cred = DEMO_CREDENTIALS["sandbox_tax"]
    good = sm2_sm3.sm2_sign(cred["private_key"], b"m", cred["public_key"])
    for bad in ("", good[:-2], good + "00", "zz" * 64, "0x" + good[2:], "00" * 64, "ff" * 64):
        assert not sm2_sm3.sm2_verify(cred["public_key"], bad, b"m")
    for key in ("", "04", "11" * 64, cred["public_key"][:-2]):
        assert not sm2_sm3.sm2_verify(key, good, b"m")
    assert gm.rs_to_der(good) and gm.der_to_rs(gm.rs_to_der(good)) == good


def test_sm3_in_c_matches_the_pure_python_reference():
    from gmssl import func, sm3

    for data in (b"", b"abc", bytes(range(256)) * 33):
        assert sm2_sm3.sm3_hex(data) == sm3.sm3_hash(func.bytes_to_list(data))


def test_sm2_scheme_signs_a_verifiable_request():
    cred = DEMO_CREDENTIALS["sandbox_medical_insurance"]
    request = OutgoingRequest("POST", "http://platform/yibao/fsi", body=b'{"infno":"1101"}')
    fixed("sm2_sm3", cred).sign(request, fetch=None)
    h = request.headers
    assert h["X-Content-SM3"] == sm2_sm3.sm3_hex(b'{"infno":"1101"}')
    data = sm2_sm3.string_to_sign(cred["app_id"], h["X-Timestamp"], h["X-Nonce"], "POST", "/yibao/fsi",
                                  h["X-Content-SM3"])
    assert sm2_sm3.sm2_verify(cred["public_key"], h["X-Signature"], data)


def test_oauth2_basic_auth_vector_and_token_cache():
    assert oauth2.basic_auth("client", "secret") == "Basic Y2xpZW50OnNlY3JldA=="
    now = [CLOCK]
    calls = []

    def fetch(method, url, **kwargs):
        calls.append((method, url, kwargs["data"], kwargs["headers"]["Authorization"]))
        return FakeResponse(200, {"access_token": f"t{len(calls)}", "token_type": "Bearer", "expires_in": 600})

    scheme = SCHEMES["oauth2"]({"client_id": "client", "client_secret": "secret"}, {"scope": "query"},
                               base_url="http://p/bdc", clock=lambda: now[0])
    request = OutgoingRequest("POST", "http://p/bdc/x")
    scheme.sign(request, fetch)
    assert request.headers["Authorization"] == "Bearer t1"
    assert calls[0] == ("POST", "http://p/bdc/oauth/token", {"grant_type": "client_credentials", "scope": "query"},
                        "Basic Y2xpZW50OnNlY3JldA==")
    scheme.sign(OutgoingRequest("POST", "http://p/bdc/x"), fetch)
    assert len(calls) == 1
    now[0] += 600 - 30  # inside the refresh margin
    scheme.sign(OutgoingRequest("POST", "http://p/bdc/x"), fetch)
    assert len(calls) == 2
    scheme.invalidate()
    scheme.sign(OutgoingRequest("POST", "http://p/bdc/x"), fetch)
    assert len(calls) == 3
    assert oauth2.classify_refusal(401, {"error": "invalid_token"}) == EXPIRED
    assert oauth2.classify_refusal(401, {"error": "invalid_client"}) == REJECTED
    assert oauth2.classify_refusal(200, {"code": 200}) is None


def test_oauth2_refused_client_credentials():
    scheme = fixed("oauth2", {"client_id": "c", "client_secret": "wrong"})
    with pytest.raises(AuthRefused) as info:
        scheme.sign(OutgoingRequest("POST", "http://platform/x"),
                    lambda *a, **k: FakeResponse(401, {"error": "invalid_client"}))
    assert info.value.kind == REJECTED


def test_schemes_are_pluggable_by_name():
    assert set(SCHEMES) == {"hmac_sha256", "md5_token", "tif", "sm2_sm3", "oauth2"}
    scheme = build_scheme("tif", {"paas_id": "p", "paas_token": "t"}, {}, "http://x")
    assert scheme.name == "tif" and scheme.refusals[REJECTED][0] == 401
