"""Connector settings: defaults, the connectors file, the environment, credentials, caching."""

from __future__ import annotations

import gc
import json

import pytest
from flask import Flask

from app.config import Settings
from app.engine.operators import OperatorError, load_operators, registry
from connectors.base import NoApplicationSettings, connector_for
from connectors.base.config import resolve_config
from connectors.sandbox.fixtures import declared_members
from connectors.testing import run_operator, sandbox_settings

load_operators()
SINGLE = declared_members("eligible_single")


def resolve(name: str = "hukou", settings: Settings | None = None, all_names=("hukou",)):
    return resolve_config(name, settings=settings or Settings(sandbox_url="http://sb:8780/"),
                          sandbox_prefix="/gongan/hukou", scheme="hmac_sha256", options={"city": "重庆市"},
                          all_names=all_names)


def test_defaults_point_at_the_sandbox_with_the_demo_credential():
    config = resolve()
    assert config.base_url == "http://sb:8780/gongan/hukou"
    assert (config.scheme, config.credential) == ("hmac_sha256", "sandbox_hukou")
    assert (config.timeout, config.retries) == (5.0, 2)
    assert config.options == {"city": "重庆市"}


def test_file_then_environment_layers(tmp_path):
    path = tmp_path / "connectors.json"
    path.write_text(json.dumps({
        "defaults": {"timeout": 7, "retries": 1},
        "hukou": {"base_url": "https://gongan.example.gov.cn/share/", "options": {"area": "500000"},
                  "credential": "GA_PROD"},
    }), encoding="utf-8")
    env = {"HOUSING_CONNECTOR_DEFAULT_TIMEOUT": "9", "HOUSING_CONNECTOR_HUKOU_RETRIES": "4",
           "HOUSING_CONNECTOR_HUKOU_OPTIONS": '{"city": "成都市"}'}
    config = resolve(settings=Settings(connectors_file=str(path), extra=env))
    assert config.base_url == "https://gongan.example.gov.cn/share"
    assert (config.timeout, config.retries, config.credential) == (9.0, 4, "GA_PROD")
    assert config.options == {"city": "成都市", "area": "500000"}


@pytest.mark.parametrize("env", [
    {"HOUSING_CONNECTOR_HUKOU_TIMEOUT": "soon"},
    {"HOUSING_CONNECTOR_HUKOU_NO_SUCH_SETTING": "1"},
    {"HOUSING_CONNECTOR_DEFAULT_RETRIES": "-1"},
    {"HOUSING_CONNECTOR_HUKOU_OPTIONS": "[1, 2]"},
])
def test_bad_settings_are_reported_as_misconfigured(env):
    with pytest.raises(OperatorError) as info:
        resolve(settings=Settings(extra=env))
    assert info.value.code == "ConnectorMisconfigured" and info.value.retryable is False


def test_a_longer_connector_name_is_not_read_as_a_setting_of_a_shorter_one():
    settings = Settings(extra={"HOUSING_CONNECTOR_TAX_REFUND_TIMEOUT": "3"})
    assert resolve("tax", settings, all_names=("tax", "tax_refund")).timeout == 5.0
    assert resolve("tax_refund", settings, all_names=("tax", "tax_refund")).timeout == 3.0


def test_credentials_come_from_the_environment_or_a_file(sandbox_url, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("4d55a71670514136eae9bb53\n", encoding="utf-8")
    env = {"HOUSING_CONNECTOR_HUKOU_CREDENTIAL": "ga-prod",
           "HOUSING_CONNECTOR_CRED_GA_PROD_APP_KEY": "HJ-DEMO-APP",
           "HOUSING_CONNECTOR_CRED_GA_PROD_APP_SECRET_FILE": str(secret)}
    result = run_operator("hukou/check", {"members": SINGLE}, sandbox_settings(sandbox_url, env))
    assert result["members"][0]["found"] is True


def test_a_named_credential_without_values_is_misconfigured(sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_CREDENTIAL": "GA_PROD"})
    with pytest.raises(OperatorError) as info:
        connector_for("hukou", settings)
    assert info.value.code == "ConnectorMisconfigured"
    assert "HOUSING_CONNECTOR_CRED_GA_PROD_APP_KEY" in info.value.message


def test_production_refuses_the_demo_credentials(sandbox_url):
    settings = sandbox_settings(sandbox_url, env="production")
    with pytest.raises(OperatorError) as info:
        connector_for("tax", settings)
    assert info.value.code == "ConnectorMisconfigured" and "production" in info.value.message


def test_an_unknown_signing_scheme_is_misconfigured(sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_SCHEME": "rot13"})
    with pytest.raises(OperatorError) as info:
        connector_for("hukou", settings)
    assert info.value.code == "ConnectorMisconfigured" and "rot13" in info.value.message


def test_the_scheme_is_chosen_by_configuration(admin, sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_SCHEME": "tif",
                                              "HOUSING_CONNECTOR_CRED_SANDBOX_HUKOU_PAAS_ID": "p",
                                              "HOUSING_CONNECTOR_CRED_SANDBOX_HUKOU_PAAS_TOKEN": "t"})
    assert connector_for("hukou", settings).scheme.name == "tif"
    with pytest.raises(OperatorError) as info:  # the 公安 gateway expects HMAC: it refuses
        run_operator("hukou/check", {"members": SINGLE}, settings)
    assert info.value.code == "SignatureRejected"


def test_one_instance_per_settings_object_dropped_with_it(sandbox_url):
    first = sandbox_settings(sandbox_url)
    assert connector_for("hukou", first) is connector_for("hukou", first)
    second = sandbox_settings(sandbox_url)
    assert connector_for("hukou", second) is not connector_for("hukou", first)
    from connectors.base.registry import _instances

    ident = id(second)
    assert ident in _instances._items
    del second
    gc.collect()
    assert ident not in _instances._items


def app_with(settings: Settings):
    """An app context holding ``settings`` where the factory puts them."""
    application = Flask(__name__)
    application.extensions["housing.settings"] = settings
    return application.app_context()


def test_health_checks_use_the_running_apps_settings(sandbox_url):
    with app_with(sandbox_settings(sandbox_url)):
        ok, message = registry.get("marriage/check").health_check()
        assert ok, message


def test_health_check_reports_misconfiguration_instead_of_raising(sandbox_url):
    with app_with(sandbox_settings(sandbox_url, env="production")):
        ok, message = registry.get("marriage/check").health_check()
        assert not ok and "ConnectorMisconfigured" in message


def test_outside_an_app_there_are_no_connector_settings_to_guess():
    with pytest.raises(NoApplicationSettings, match="app_context"):
        registry.get("marriage/check").health_check()
    fast = Settings(sandbox_url="http://sb:8780", extra={"HOUSING_CONNECTOR_DEFAULT_JOB_ATTEMPTS": "2"})
    with app_with(fast):
        assert registry.get("housing_fund/check").retry.max_attempts == 2
    assert registry.get("housing_fund/check").retry.max_attempts == 4  # as declared, not the last app's


def test_the_job_retry_policy_comes_from_the_running_apps_settings():
    op = registry.get("housing_fund/check")
    with app_with(Settings(sandbox_url="http://sb:8780")):
        assert (op.retry.max_attempts, op.retry.delay(1), op.retry.delay(9)) == (4, 30.0, 900.0)  # the defaults
    fast = Settings(sandbox_url="http://sb:8780", extra={
        "HOUSING_CONNECTOR_DEFAULT_JOB_ATTEMPTS": "3", "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF": "0.05",
        "HOUSING_CONNECTOR_HOUSING_FUND_JOB_BACKOFF_CAP": "0.1"})
    with app_with(fast):
        assert (op.retry.max_attempts, op.retry.delay(1), op.retry.delay(2), op.retry.delay(5)) == (3, 0.05, 0.1, 0.1)
        assert op.describe()["retry"] == {"max_attempts": 3, "backoff_base": 0.05}
        assert registry.get("tax/check").retry.max_backoff == 900.0  # the cap was set for housing_fund only
        with app_with(Settings(sandbox_url="http://sb:8780")):  # another app, in the same process
            assert op.retry.max_attempts == 4
        assert op.retry.max_attempts == 3


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_job_retry_setting_keeps_the_default_policy(value):
    with app_with(Settings(sandbox_url="http://sb:8780", extra={"HOUSING_CONNECTOR_HUKOU_JOB_ATTEMPTS": value})):
        assert registry.get("hukou/check").retry.max_attempts == 4
    with pytest.raises(OperatorError) as info:
        resolve(settings=Settings(sandbox_url="http://sb:8780",
                                  extra={"HOUSING_CONNECTOR_HUKOU_JOB_ATTEMPTS": value}))
    assert info.value.code == "ConnectorMisconfigured"
