"""The audit page's problem labels (their English is in the gettext catalogue, ``app/translations``)."""

#: a short label per kind of break (:data:`app.audit.verify.PROBLEMS` holds the CLI's sentences)
PROBLEM_LABELS = {
    "hash_mismatch": "内容与密钥哈希不符（被修改、伪造或重算）",
    "other_key": "由另一密钥签署",
    "unkeyed_event": "检查点之后出现未加密钥的事件（伪造）",
    "link_broken": "前一哈希不符（事件被删除、插入或重排）",
    "seq_gap": "序号不连续（事件被删除或插入）",
    "head_mismatch": "链头与最新事件不符（末尾被删除或链头被改写）",
    "head_missing": "有事件但没有链头",
    "subject_missing": "主体的事件全部缺失（主体被删除）",
    "checkpoint_mismatch": "与最近检查点不符（末尾或主体被删除）",
    "checkpoint_invalid": "检查点无法验证",
}
