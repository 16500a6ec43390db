"""English for the applicant portal's own texts: uploads, documents, 补正 notices, member rows.

Added to the page catalogue with :func:`app.web.i18n.register_catalogue`. The document kinds are
the names ``forms/application.schema.json`` gives them, shown wherever a case's documents are.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # repeated rows (household members …)
    "添加成员": "Add a member", "添加一行": "Add a row", "删除此行": "Remove this row",
    # uploads and a case's documents
    "申请材料": "Documents", "补交的材料": "Documents to supplement",
    "不予通过决定": "Decision to refuse", "理由": "Reasons", "依据的准入条件": "Eligibility conditions not met",
    "如对本决定不服，可以自知道该决定之日起{days}日内向{body}申请行政复议，也可以自知道或者应当知道该决定之日起{months}个月内向{court}提起行政诉讼。":
        "If you disagree with this decision you may apply to {body} for administrative reconsideration within {days} "
        "days of learning of it, or bring an administrative lawsuit before {court} within {months} months.",
    "作出决定机关的上一级机关": "the authority above the one that decided",
    "下载不予通过决定书（PDF）": "Download the decision letter (PDF)",
    "该申请没有不予通过决定书": "This application has no decision to refuse",
    "有管辖权的人民法院": "the competent people's court",
    "已上传的文件（提交时一并提交；取消勾选即不提交）：":
        "Files already uploaded (sent with the form; untick to leave one out):",
    "PDF、JPG、PNG，每个不超过 {mb} MB，一次合计不超过 {total} MB":
        "PDF, JPG or PNG, at most {mb} MB each and {total} MB in all",
    "上传的文件合计超过 {total} MB，未能提交。请压缩或减少文件后重试（每个文件不超过 {each} MB）。":
        "The files add up to more than {total} MB, so nothing was submitted. Compress them or send fewer "
        "and try again (at most {each} MB each).",
    "{name} 超过 {mb} MB，请压缩后再上传": "{name} is over {mb} MB; compress it and try again",
    "所选文件合计超过 {total} MB，请减少或压缩文件":
        "The chosen files add up to more than {total} MB; send fewer or compress them",
    "文件名": "File name", "大小": "Size", "上传时间": "Uploaded", "（文件缺失）": "(file missing)",
    "没有上传材料": "No documents uploaded",
    # one household, one open application (app.claims)
    "未能提交：{detail}": "Not submitted: {detail}",
    "身份证号码 {id} 已在{housing}申请 {no} 中，该申请尚未办结；同一身份证号码同一住房类型只能有一个在办申请":
        "ID number {id} is already in {housing} application {no}, which is still open; an ID number may be "
        "in only one open application per housing type",
    # the 补正 notice
    "第 {n} 次补正": "supplement no. {n}", "请一次性补交以下材料：": "please send all of these at once:",
    "补正说明": "Note", "请于 {when} 前提交，逾期视为撤回申请":
        "Submit before {when}; after that the application counts as withdrawn",
    # case history
    "收到消息": "Message received", "下载申请材料": "Document downloaded",
    "申请人提交补正材料": "Applicant submitted the supplement", "收到公示异议": "Objection received",
    # document kinds (forms/application.schema.json)
    "身份证": "ID card", "户口簿": "Household register", "婚姻状况证明": "Marital status certificate",
    "收入证明": "Proof of income", "住房情况声明": "Housing statement", "居住证": "Residence permit",
    "劳动合同": "Labour contract", "社保缴费记录": "Social insurance record", "残疾人证": "Disability certificate",
    "低保/特困证明": "Subsistence allowance certificate", "优抚对象证明": "Entitled-group certificate",
    "其他材料": "Other document",
}
