"""A service task's literal parameter of the wrong type is refused at deploy, on its element."""

from __future__ import annotations

import io

OPERATOR = """<spiffworkflow:serviceTaskOperator id="housing_fund/check" resultVariable="fund">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="members" type="list" value="members" />
            <spiffworkflow:parameter id="months" type="int" value="{months}" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>"""

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="typed_params" name="参数类型" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="check_fund" name="核查公积金">
      <bpmn:extensionElements>
        {operator}
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check_fund" />
    <bpmn:sequenceFlow id="f2" sourceRef="check_fund" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _deploy(client, auth, months: str):
    xml = DIAGRAM.format(operator=OPERATOR.format(months=months)).encode()
    return client.post("/api/v1/process-definitions", headers=auth("policy"), content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(xml), "typed_params.bpmn")]})


def test_a_quoted_number_for_an_integer_parameter_is_an_error_on_its_element(client, auth):
    response = _deploy(client, auth, "&apos;12&apos;")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [(e["element_id"], "months" in e["message"] and "integer" in e["message"]) for e in errors] \
        == [("check_fund", True)]


def test_a_number_or_an_expression_deploys(client, auth):
    assert _deploy(client, auth, "12").status_code == 201
    assert _deploy(client, auth, "review_months * 2").status_code == 201
