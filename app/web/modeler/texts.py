"""The modeler's texts: the texts its scripts show.

The templates' Chinese is translated by :func:`app.web.i18n.t` like every other page's. The scripts
get :func:`js_texts` — key → text in the session's language — embedded in the page.
"""

from __future__ import annotations

from app.web.i18n import t

#: key → Chinese text shown by the modeler's scripts (placeholders in braces)
JS_TEXTS: dict[str, str] = {
    "no_problems": "没有发现问题", "line": "第 {n} 行", "warning": "警告", "error": "错误",
    "general": "基本信息", "element_id": "元素标识", "element_name": "名称", "choices": "可选值",
    "expression": "表达式，例如 household['members']", "undeclared_parameter": "参数 {name} 不是该操作声明的参数",
    "use_expression": "（填写表达式）", "param_expects": "应填写{type}", "param_one_of": "取值应为其中之一：{choices}",
    "type_string": "加引号的文本，例如 'gongzufang'", "type_integer": "整数", "type_number": "数字",
    "type_boolean": "True 或 False", "type_array": "列表（或表达式）", "type_object": "对象（或表达式）",
    "operator": "数据源操作", "choose_operator": "请选择数据源操作", "unknown": "未注册",
    "unknown_operator": "该操作未注册，部署会被拒绝", "result_variable": "结果变量",
    "service_task": "服务任务", "user_task": "人工任务", "form": "表单", "no_form": "（无表单）",
    "missing": "不存在", "candidate_groups": "办理角色（候选组）",
    "candidate_groups_hint": "留空则使用所在泳道的角色", "due_in_working_days": "办理期限（工作日）",
    "instructions": "办理说明", "lane": "泳道", "lane_roles": "角色（候选组）",
    "lane_roles_hint": "泳道中人工任务默认由这些角色办理", "call_activity": "调用子流程",
    "start_event": "开始事件", "start_roles": "可直接发起的角色（startRoles）",
    "start_roles_hint":
        "留空则只能由上级流程或所属业务服务发起，任何人都不能通过接口直接发起；区县人员只能为本区县发起",
    "called_process": "子流程", "not_deployed": "未部署", "business_rule_task": "业务规则任务",
    "decision": "决策表", "timer": "计时器", "working_days": "期限（工作日）",
    "working_days_hint": "按中国法定节假日和调休计算，写成 workdays_from_now(n)",
    "timer_kind": "计时方式", "timeDate": "到期时间（timeDate）", "timeDuration": "持续时间（timeDuration）",
    "timeCycle": "循环（timeCycle）", "timer_expression": "表达式",
    "timer_expression_hint": "字面量请加引号，例如 \"PT1H\"", "script": "脚本", "condition": "流转条件",
    "expression_hint": "在服务器沙箱中计算的表达式", "pre_script": "前置脚本", "post_script": "后置脚本",
    "scripts": "脚本与条件", "script_parameters": "政策参数（脚本中的数值）",
    "sandbox_note": "脚本和表达式只在服务器的沙箱中执行，浏览器不会执行它们。",
    "select_element": "选中一个元素以编辑属性", "lint_no_operator": "服务任务未选择数据源操作",
    "lint_no_form": "人工任务未选择表单", "validation_failed": "校验未通过：{errors} 个错误，{warnings} 个警告",
    "validation_passed": "校验通过（{warnings} 个警告）", "passed": "通过", "failed": "未通过", "path": "路径",
    "scenario_results": "场景试运行结果", "scenario_summary": "通过 {passed} 个，未通过 {failed} 个",
    "result": "结果", "scenario": "场景", "details": "详情", "no_scenarios": "processes/ 中没有该流程的场景文件",
    "running_scenarios": "正在试运行场景…", "scenarios_not_run": "场景未运行",
    "comment_required": "请填写部署说明", "deploying": "正在部署…", "deploy_refused": "部署被拒绝",
    "unchanged": "内容未变", "deployed": "已部署：{what}", "nothing_changed": "内容没有变化，版本不变：{what}",
    "versions": "版本与对比", "migrate_cases": "迁移案件", "validating": "正在校验…",
    "validation_error": "校验请求失败", "import_warnings": "打开文件时有 {n} 个警告", "import_failed": "无法打开文件",
    "previewing": "正在重新计算已决案件…", "preview_failed": "预览失败",
    "preview_summary": "重新计算了 {cases} 个已决案件：{flipped} 个资格结论变化，{intermediate} 个仅中间结果变化",
    "preview_title": "政策影响", "eligibility": "资格结论", "eligibility_flipped": "资格结论变化：{n} 个案件",
    "intermediate_only": "仅中间结果变化（资格结论不变）：{n} 个案件", "eligible_yes": "符合", "eligible_no": "不符合",
    "unknown_verdict": "未知", "unchanged_verdict": "不变",
    "case": "案件", "before": "修改前", "after": "修改后", "rules": "命中规则（行）",
    "preview_failures": "无法计算的案件",
}

#: English for the Chinese of the modeler's pages and scripts

def js_texts() -> dict[str, str]:
    """Key → text in the session's language, for the page's scripts."""
    return {key: t(text) for key, text in JS_TEXTS.items()}
