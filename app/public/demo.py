"""Demo content for the public-service pages: real national policy documents (summaries and
opening articles), one local sample, and a few FAQ entries. Loading is idempotent (by title)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db import db
from app.public.models import FaqEntry, PolicyDocument

DEMO_ACTOR = "demo"

DOCUMENTS = [
    dict(title="公共租赁住房管理办法", doc_no="住房和城乡建设部令第11号", issuer="住房和城乡建设部",
         issued_on=date(2012, 5, 28), housing_type="gongzufang", city="全国",
         summary="规范公共租赁住房的申请与审核、轮候与配租、使用与退出和法律责任，"
                 "明确公租房面向城镇中等偏下收入住房困难家庭、新就业无房职工和在城镇稳定就业的外来务工人员。",
         body="第一章 总则\n"
              "第一条 为了加强对公共租赁住房的管理，保障公平分配，规范运营与使用，健全退出机制，制定本办法。\n"
              "第二条 公共租赁住房的分配、运营、使用、退出和管理，适用本办法。\n"
              "第三条 本办法所称公共租赁住房，是指限定建设标准和租金水平，面向符合规定条件的城镇中等偏下收入"
              "住房困难家庭、新就业无房职工和在城镇稳定就业的外来务工人员出租的住房。\n"
              "（以下条文从略，以正式文本为准。）"),
    dict(title="关于进一步规范发展公租房的意见", doc_no="建保〔2019〕55号",
         issuer="住房和城乡建设部 财政部 国家发展改革委 自然资源部", issued_on=date(2019, 5, 7),
         housing_type="gongzufang", city="全国",
         summary="要求继续做好城镇中等偏下及以下收入住房困难家庭的保障工作，加大对新就业无房职工、"
                 "外来务工人员的保障力度，推进公租房申请审核和配租的信息化、便民化。",
         body=""),
    dict(title="国务院办公厅关于加快发展保障性租赁住房的意见", doc_no="国办发〔2021〕22号",
         issuer="国务院办公厅", issued_on=date(2021, 6, 24), housing_type="baozufang", city="全国",
         summary="明确保障性租赁住房主要解决符合条件的新市民、青年人等群体的住房困难问题，"
                 "以建筑面积不超过70平方米的小户型为主，租金低于同地段同品质市场租赁住房租金。",
         body="一、明确对象标准\n保障性租赁住房主要解决符合条件的新市民、青年人等群体的住房困难问题，"
              "以建筑面积不超过70平方米的小户型为主，租金低于同地段同品质市场租赁住房租金，"
              "准入和退出的具体条件、小户型的具体面积由城市人民政府按照保基本的原则合理确定。\n"
              "（以下内容从略，以正式文本为准。）"),
    dict(title="公租房准入收入线和住房面积标准（示例）", doc_no="", issuer="重庆市住房和城乡建设委员会",
         issued_on=date(2025, 3, 1), housing_type="gongzufang", city="重庆市",
         summary="演示数据：家庭人均月收入线按家庭人口分档，人均住房建筑面积15平方米以下。"
                 "现行数值以服务指南页面为准，该页面直接读取系统正在执行的准入规则。",
         body="一、收入线：单人户、2人户、3人及以上家庭分别执行不同的人均月收入线。\n"
              "二、住房面积：家庭人均住房建筑面积低于15平方米。\n"
              "三、本文件为演示数据。"),
]

FAQ = [
    dict(question="公租房和保租房有什么区别？", housing_type="general", position=1,
         answer="公租房面向城镇中等偏下收入住房困难家庭等群体，设有收入线；保租房主要面向新市民、青年人，"
                "不设收入线，以小户型为主。具体条件见“服务指南”。"),
    dict(question="怎样查询我的申请办到哪一步了？", housing_type="general", position=2,
         answer="在“办理进度查询”页面输入申请编号和申请人身份证号码后6位即可查询，无需登录。"
                "结果只显示办理阶段和日期。"),
    dict(question="材料不全会被直接驳回吗？", housing_type="general", position=3,
         answer="不会。受理时发现材料不全的，会一次性告知需要补正的全部材料，补正期间暂停计时。"),
    dict(question="公示期间对公示对象有异议怎么办？", housing_type="gongzufang", position=4,
         answer="在公示期内，可在“公示”页面对具体申请实名提出异议并说明理由，相关部门会在规定时限内核查。"),
]


def load() -> tuple[int, int]:
    """Add the demo documents and FAQ entries that are not there yet (published); returns how many were added."""
    added_docs = added_faq = 0
    with db.transaction() as session:
        titles = set(session.scalars(select(PolicyDocument.title)))
        for values in DOCUMENTS:
            if values["title"] not in titles:
                session.add(PolicyDocument(**values, published=True, updated_by=DEMO_ACTOR))
                added_docs += 1
        questions = set(session.scalars(select(FaqEntry.question)))
        for values in FAQ:
            if values["question"] not in questions:
                session.add(FaqEntry(**values, published=True, updated_by=DEMO_ACTOR))
                added_faq += 1
    return added_docs, added_faq
