"""English for the supervision pages' own texts (registered with :func:`app.web.i18n.register_catalogue`)."""

EN = {
    "动态监管": "Supervision",
    "动态监管预警": "Supervision warnings",
    "每份在租租约按周期重新核查家庭情况与水电气用量；命中风险规则的列在此处，请核实证据后处置。":
        "Every active lease is re-checked on a cadence (household facts and utility use); leases that hit a "
        "risk rule are listed here. Verify the evidence, then decide.",
    "只看待处置": "Open warnings only",
    "含已处置": "Include decided ones",
    "租约编号": "Lease number",
    "核查日期": "Checked on",
    "风险规则与证据": "Rule and evidence",
    "状态": "Status",
    "高风险": "high risk",
    "依据：": "Evidence: ",
    "处置理由：": "Reason given: ",
    "处置": "Decide",
    "暂无预警": "No warnings",
    "核查中": "Checking",
    "未发现风险": "No risk found",
    "待处置": "Awaiting a decision",
    "已解除": "Dismissed",
    "整改中": "Rectifying",
    "已启动退出": "Exit started",
    "未能启动": "Could not start",
    "仅动态监管人员可查看": "Only supervision officers may see this",
    "整改通知": "Rectification notices",
    "经核查，您承租的住房存在以下情况，请在期限内整改。逾期未整改的，将依法启动退出。":
        "A check found the following about your rented home; please put it right by the deadline. "
        "Without rectification by then, the exit will be started as the rules provide.",
    "下达日期": "Issued on",
    "发现的情况": "What was found",
    "整改事项": "What to do",
    "整改期限": "Deadline",
    "暂无整改通知": "No rectification notices",
}
