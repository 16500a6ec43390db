"""Outbound systems: receipts, idempotent sends, de-identified publication lists."""

from __future__ import annotations

import pytest

from app.engine.operators import OperatorContext, OperatorError
from connectors.base import CONNECTORS, Call, connector_for
from connectors.testing import run_operator

SMS = {"phone": "13983001001", "template": "SUPPLEMENT_NOTICE", "params": {"application_no": "GZF2026-000123"}}


def test_sms_send_answers_a_receipt_and_masks_the_phone(admin, settings):
    result = run_operator("sms/send", SMS, settings)
    assert result["receipt_id"].endswith("^0") and result["system_name"] == "短信网关"
    assert result["details"]["phone"] == "139****1001"
    sent = admin.requests("sms")[-1]["body"]
    assert sent["PhoneNumbers"] == "13983001001" and sent["SignName"] == "重庆住房保障"
    assert sent["TemplateParam"] == '{"application_no": "GZF2026-000123"}'


def test_a_repeated_job_attempt_sends_nothing_twice(admin, settings):
    first = run_operator("sms/send", SMS, settings, key="job-42")
    again = run_operator("sms/send", SMS, settings, key="job-42")
    other = run_operator("sms/send", SMS, settings, key="job-43")
    assert first["receipt_id"] == again["receipt_id"] != other["receipt_id"]


def test_a_wrong_phone_number_never_leaves(admin, settings):
    with pytest.raises(OperatorError) as info:
        run_operator("sms/send", {**SMS, "phone": "12345"}, settings)
    assert info.value.code == "InvalidParameters" and not admin.requests("sms")


def test_publication_masks_names_and_drops_undeclared_fields(admin, settings):
    params = dict(CONNECTORS["publication_platform"].samples["publish"])
    params["items"] = [{"application_no": "GZF2026-000123", "name": "刘建国", "household_size": 3,
                        "id_number": "500106198603181153", "phone": "13983001002"},
                       {"application_no": "GZF2026-000124", "name": "王丽", "household_size": 1, "score": 80.5}]
    result = run_operator("publication_platform/publish", params, settings)
    assert result["details"]["item_count"] == 2 and result["receipt_id"].startswith("GS2026-12-")
    items = admin.requests("publication_platform")[-1]["body"]["items"]
    assert [i["xm"] for i in items] == ["刘*国", "王*"]
    assert "500106198603181153" not in str(items) and "13983001002" not in str(items)
    closed = run_operator("publication_platform/close", {"publication_id": result["receipt_id"]}, settings)
    assert closed["receipt_id"] == result["receipt_id"] and closed["details"]["closed_at"]


def test_publication_period_must_not_end_before_it_starts(settings):
    params = {**CONNECTORS["publication_platform"].samples["publish"], "ends_on": "2026-11-01"}
    with pytest.raises(OperatorError) as info:
        run_operator("publication_platform/publish", params, settings)
    assert info.value.code == "InvalidParameters"


def test_the_platform_itself_refuses_an_identifying_list(settings):
    connector = connector_for("publication_platform", settings)
    body = {"items": [{"sqbh": "GZF2026-1", "xm": "刘建国", "jtrk": 3}]}
    call = Call(connector, OperatorContext(idempotency_key="raw-publish"))
    with pytest.raises(OperatorError) as info:
        call.post("/api/v1/publications", body, label="publish")
    assert info.value.code == "SourceRejected" and "脱敏" in info.value.message


def test_allocation_push_answers_a_receipt_and_a_place_in_the_queue(admin, settings):
    params = CONNECTORS["allocation_system"].samples["push"]
    first = run_operator("allocation_system/push", params, settings, key="push-1")
    second = run_operator("allocation_system/push", {**params, "application_no": "GZF2026-000124"}, settings,
                          key="push-2")
    assert first["receipt_id"].startswith("PZ") and second["details"]["queue_no"] == first["details"]["queue_no"] + 1
    pushed = admin.requests("allocation_system")[-1]
    assert pushed["body"]["hzsfzh"] == "500106198603181153" and pushed["body"]["fylx"] == "gongzufang"
    assert "500106198603181153" not in str(first["evidence"])
