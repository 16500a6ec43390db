"""JSON text for the database: orjson's speed, the standard library's output (app.jsonio)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from app import jsonio
from app.engine import serializer


def _stdlib(value, default=None) -> str:
    return json.dumps(value, default=default, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("value", [
    {"申请人": "张三", "members": [{"id_number": "500103199405120136", "age": 31, "share": 0.5}], "ok": True},
    {1: "one", None: "none", False: "no", 2.5: "half"},  # keys that are not text
    [1e16, 0.1, -0.0, 12345678901234567890, None, "", "line\nbreak \"quoted\" \\ 中文"],
])
def test_the_text_is_the_standard_librarys(value):
    assert jsonio.dumps(value) == _stdlib(value)


def test_an_integer_beyond_orjson_is_written_by_the_standard_library():
    value = {"big": 2**100, "list": [-(2**70)]}
    assert jsonio.dumps(value) == _stdlib(value)
    assert jsonio.dumps(value) == '{"big":1267650600228229401496703205376,"list":[-1180591620717411303424]}'
    assert json.loads(jsonio.dumps(value)) == value


def test_dates_and_dataclasses_go_to_default_and_without_one_fail_as_json_does():
    @dataclass
    class Point:
        x: int

    stamp = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    to_text = lambda v: v.isoformat() if isinstance(v, datetime) else {"x": v.x}  # noqa: E731
    assert jsonio.dumps({"at": stamp, "p": Point(3)}, to_text) == '{"at":"2026-12-07T10:00:00+00:00","p":{"x":3}}'
    with pytest.raises(TypeError):
        jsonio.dumps({"at": stamp})
    with pytest.raises(TypeError):
        jsonio.dumps({"p": Point(1)})


def test_a_state_with_spiffworkflow_types_reads_back_the_same():
    from datetime import timedelta

    dct = {"data": {"due": datetime(2027, 1, 4, 9, 30, tzinfo=UTC), "within": timedelta(days=15),
                    "tags": {"a"}, "名称": "公租房"}}
    text = serializer._encode(dct)
    assert text == json.dumps(dct, cls=serializer._serializer._encoder_cls, separators=(",", ":"), ensure_ascii=False)
    assert '"typename":"datetime"' in text and '"typename":"timedelta"' in text
