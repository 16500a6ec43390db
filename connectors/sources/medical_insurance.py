"""医保 medical insurance, the provincial five-step verification.

Platform: national 医保 interface style (``infno`` + ``input.data``, answers ``infcode`` /
``output``), signed with SM2/SM3. Per member:

1. ``P1001`` identity match (``certno`` + ``psn_name``) → ``psn_exist``, ``match_flag``, ``psn_no``;
2. ``1101`` person info → ``baseinfo`` / ``insuinfo[]`` (``insutype`` 310 employee / 390
   resident, ``psn_insu_stas`` 1 insured / 2 suspended, ``psn_insu_date`` enrolled,
   ``paus_insu_date`` suspended) / ``idetinfo[]``;
3. ``P1003`` payment records for the window (``begn_ym`` … ``end_ym``) → ``paylist[]``;
4. ``P1004`` cross-region (异地就医) registrations → ``regs[]``;
5. ``P1005`` family mutual-aid (家庭共济) links → ``famlist[]``.

Verdict: ``fail`` when the ID number and name do not match; ``pass`` when insured with no
unpaid month in the window; ``info`` for a gap, a suspension or no insurance.
"""

from __future__ import annotations

import uuid
from typing import Any

from marshmallow import Schema, fields, validate

from connectors.base import FAIL, INFO, PASS, Finding, SourceConnector, WindowParams, fact, register_connector
from connectors.base.call import Call
from connectors.base.dates import compact_month, iso_date, iso_month, last_full_months, now_iso, parse_date, today
from connectors.base.envelope import YIBAO

INSURANCE_TYPES = {"310": "employee", "390": "resident"}
TYPE_TEXT = {"employee": "职工基本医疗保险", "resident": "城乡居民基本医疗保险"}
SERVICE = "/fsi/api/rsfComIfsService/callService"


class MedicalInsuranceFacts(Schema):
    """Facts of ``medical_insurance/check``."""

    identity_matched = fact(fields.Boolean, "step 1: ID number and name match", load_default=False)
    insured = fact(fields.Boolean, "step 2: currently insured", load_default=False)
    insurance_type = fact(fields.String, "employee or resident", validate=validate.OneOf(("employee", "resident")))
    insurance_status = fact(fields.String, "active or suspended", validate=validate.OneOf(("active", "suspended")))
    employer = fact(fields.String, "employer (employee insurance)")
    insured_since = fact(fields.Date, "date insured")
    suspended_on = fact(fields.Date, "step 2: date insurance was last suspended (暂停参保), also when resumed since")
    months_paid = fact(fields.Integer, "step 3: months paid in the window", load_default=0)
    gap_months = fact(fields.Integer, "step 3: months in the window (since insured) without payment", load_default=0)
    cross_region = fact(fields.Boolean, "step 4: has a current cross-region registration", load_default=False)
    cross_region_place = fact(fields.String, "where the cross-region registration is for")
    family_links = fact(
        fields.List, "step 5: ID numbers linked by family mutual aid", fields.String(), load_default=list
    )
    undeclared_family_links = fact(
        fields.List, "linked ID numbers not among the members given", fields.String(), load_default=list
    )


@register_connector
class MedicalInsuranceConnector(SourceConnector):
    """医保: five-step verification of every member."""

    name = "medical_insurance"
    title = "医保"
    signing = "sm2_sm3"
    sandbox_prefix = "/yibao"
    demo_credential = {
        "app_id": "YB-DEMO-APP",
        "private_key": "17C1BC6E48CBF5247A7D6666F3EBDFDCA1FDB1412E26D1F33AC55555EB3B9B0C",
        "public_key": (
            "7e924a8b8e217f17c30c8403cd35e8d5daf9e889bf67dee523f1f2884457f1b5"
            "f71fedd49efebe26a1c0eff15e3f41e4ef514838a70db3c55f69a4b007115257"
        ),
    }
    envelope = YIBAO
    default_options = {"admdvs": "500000", "sys_code": "HOUSING"}
    Params = WindowParams
    Facts = MedicalInsuranceFacts
    sample_household = "yibao_gap"

    def _call(self, call: Call, infno: str, data: dict[str, Any]) -> Any:
        message = {
            "infno": infno,
            "msgid": f"{self.options['sys_code']}{uuid.uuid4().hex[:20].upper()}",
            "mdtrtarea_admvs": self.options["admdvs"],
            "insuplc_admdvs": self.options["admdvs"],
            "recer_sys_code": self.options["sys_code"],
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "housing",
            "inf_time": now_iso(),
            "input": {"data": data},
        }
        return call.post(SERVICE, message, label=infno)

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        person = {"psn_cert_type": "01", "certno": member["id_number"], "psn_name": member["name"]}
        identity = self._call(call, "P1001", person)
        if str(identity["psn_exist"]) != "1":
            return self.not_found()
        facts = self.blank_facts()
        if str(identity["match_flag"]) != "1":
            return Finding(True, facts)
        psn_no = identity["psn_no"]
        facts["identity_matched"] = True
        info = self._call(call, "1101", person)
        insured = sorted(info.get("insuinfo") or [], key=lambda i: str(i.get("psn_insu_stas")))
        if insured:
            current = insured[0]
            facts.update(
                insured=str(current["psn_insu_stas"]) == "1",
                insurance_type=INSURANCE_TYPES.get(str(current["insutype"])),
                insurance_status="active" if str(current["psn_insu_stas"]) == "1" else "suspended",
                employer=current.get("emp_name"),
                insured_since=iso_date(current.get("psn_insu_date")),
            )
        paused = sorted(d for d in (iso_date(i.get("paus_insu_date")) for i in insured) if d)
        facts["suspended_on"] = paused[-1] if paused else None
        window = last_full_months(params["months"])
        pays = self._call(
            call, "P1003", {"psn_no": psn_no, "begn_ym": compact_month(window[0]), "end_ym": compact_month(window[-1])}
        )
        paid = {iso_month(p["clct_ym"]) for p in pays.get("paylist") or []}
        since = iso_month(facts["insured_since"]) or window[0]
        expected = [m for m in window if m >= since]
        facts["months_paid"] = len(paid & set(window))
        facts["gap_months"] = len([m for m in expected if m not in paid])
        regs = self._call(call, "P1004", {"psn_no": psn_no}).get("regs") or []
        current_regs = [r for r in regs if not r.get("enddate") or parse_date(r["enddate"]) >= today()]
        facts["cross_region"] = bool(current_regs)
        facts["cross_region_place"] = current_regs[0].get("mdtrtarea_name") if current_regs else None
        links = [f["rel_certno"] for f in self._call(call, "P1005", {"psn_no": psn_no}).get("famlist") or []]
        declared = {m["id_number"] for m in params["members"]}
        facts["family_links"] = links
        facts["undeclared_family_links"] = [x for x in links if x not in declared]
        return Finding(True, facts)

    def judge(self, member, finding, params, members) -> tuple[str, str]:
        f = finding.facts
        if not finding.found:
            return INFO, "医保系统无该人员参保登记。"
        if not f["identity_matched"]:
            return FAIL, "医保身份核验不通过：证件号码与姓名不一致。"
        if not f["insured"]:
            if f["insurance_status"] == "suspended" and f["suspended_on"]:
                return INFO, f"医保自{f['suspended_on']}起暂停参保。"
            return INFO, "医保参保状态为暂停或无有效参保。"
        kind = TYPE_TEXT.get(f["insurance_type"], "基本医疗保险")
        text = f"参加{kind}，近{params['months']}个月缴费{f['months_paid']}个月"
        text += f"，断缴{f['gap_months']}个月" if f["gap_months"] else "，无断缴"
        if f["suspended_on"]:
            text += f"，{f['suspended_on']}曾暂停参保"
        if f["cross_region"]:
            text += f"；已办理异地就医备案（{f['cross_region_place']}）"
        if f["undeclared_family_links"]:
            text += f"；家庭共济关联了{len(f['undeclared_family_links'])}名未申报人员"
        return (INFO if f["gap_months"] else PASS), text + "。"
