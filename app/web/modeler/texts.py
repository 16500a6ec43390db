"""The modeler's texts: English for its pages' Chinese, and the texts its scripts show.

:data:`EN` is merged into :data:`app.web.catalogue.EN` when the pages are loaded, so
:func:`app.web.i18n.t` translates the modeler templates like every other page. The scripts
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
EN: dict[str, str] = {
    "流程建模": "Modeler", "新流程": "New process", "新决策表": "New decision table", "新建流程": "New process",
    "新建决策表": "New decision table", "编辑": "Edit", "版本与对比": "Versions and diff", "迁移案件": "Migrate cases",
    "在浏览器中修改审批流程（BPMN）和资格规则（DMN），校验、试运行后部署为新版本；进行中的案件继续按原版本办理。":
        "Change approval flows (BPMN) and eligibility rules (DMN) in the browser, validate and try them, then "
        "deploy a new version; running cases go on under the version they started on.",
    "编辑流程": "Edit process", "编辑决策表": "Edit decision table", "校验": "Validate", "试运行场景": "Try scenarios",
    "下载文件": "Download file", "部署说明（必填）": "Deployment comment (required)",
    "部署新版本": "Deploy new version",
    "编辑器资源尚未构建：请运行 npm ci && npm run build":
        "The editor assets are not built: run npm ci && npm run build",
    "选中元素后在右侧填写属性：服务任务选择数据源操作及参数，人工任务选择表单和办理角色，泳道填写角色，计时器按工作日设置期限。表达式只在服务器的沙箱中执行。":
        "Select an element and fill in its properties on the right: a service task's operator and parameters, a "
        "user task's form and roles, a lane's roles, a timer's deadline in working days. Expressions run only "
        "in the server's sandbox.",
    "规范检查（bpmnlint）": "Lint (bpmnlint)", "校验结果": "Validation", "尚未校验": "Not validated yet",
    ('单元格使用 FEEL 一元检验：比较（<= 4148）、区间（[1000..2000]）、'
     '列表（"single","nuclear"）、not(...)、- 表示任意。命中策略在表头左上角选择。'):
        'Cells are FEEL unary tests: comparisons (<= 4148), ranges ([1000..2000]), lists ("single","nuclear"), '
        "not(...), and - for any value. Choose the hit policy at the table's top left.",
    "政策影响预览": "Policy-impact preview",
    "用修改后的决策表重新计算最近已决案件，并把变化带到读取其结果的后续决策和资格汇总："
    "先列出资格结论会改变的案件，再列出只有中间结果改变的案件（不部署、不修改任何案件）。":
        "Replay the latest decided cases through the edited table and carry the change on to the later "
        "decisions and the eligibility summary that read its results: first the cases whose eligibility would "
        "flip, then those where only an intermediate value would change (nothing is deployed or changed).",
    "最近案件数": "Latest cases", "预览影响": "Preview impact", "对比旧版": "Older", "对比新版": "Newer",
    "部署说明": "Comment", "进行中案件": "Running cases", "对比所选版本": "Compare the chosen versions",
    "版本对比": "Version diff", "新增": "Added", "删除": "Removed", "修改": "Changed", "仅移动": "Moved only",
    "选择其他版本": "Choose other versions", "变更明细": "Changes", "变更": "Change", "元素": "Element",
    "内容": "Content", "变化": "Changed", "修改前后": "Before and after",
    "两个版本内容相同": "The versions are the same",
    "进行中的案件默认继续按原版本办理。等待中的案件，只要它正在等待的环节（及其所在的子流程）在新版本中仍然存在，就可以迁移，"
    "并按新版本继续办理；尚未走到的环节可以增加、修改或删除。新版本删除了案件已办结的环节时不能迁移，以免丢失办理记录。":
        "Running cases keep their version. A waiting case can move when the steps it waits at (and the called "
        "processes they sit in) still exist in the new version; it then goes on under the new version, and steps "
        "it has not reached may be added, changed or removed. A case cannot move when the new version removes a "
        "step it has completed, so that its record is not lost.",
    "正在等待": "Waiting at", "已办结": "Completed",
    "目标版本": "Target version", "查看迁移计划": "Show the plan", "迁移报告": "Migration report", "案件": "Case",
    "结果": "Result", "已迁移": "Migrated", "未迁移": "Not migrated", "请选择要迁移的案件": "Choose the cases to move",
    "当前版本": "Current version", "等待环节": "Waiting at", "能否迁移": "Can move",
    "新版本缺少的环节": "Steps missing in the new version", "可以": "Yes", "不可以": "No",
    "没有需要迁移的进行中案件": "No running case on another version", "迁移所选案件": "Migrate the chosen cases",
    # the scripts' texts
    "没有发现问题": "No problems found", "警告": "Warning", "基本信息": "General", "元素标识": "Id",
    "可选值": "Choices", "表达式，例如 household['members']": "Expression, e.g. household['members']",
    "参数 {name} 不是该操作声明的参数": "{name} is not a parameter of this operator",
    "（填写表达式）": "(an expression)", "应填写{type}": "expects {type}",
    "取值应为其中之一：{choices}": "must be one of: {choices}",
    "加引号的文本，例如 'gongzufang'": "quoted text, e.g. 'gongzufang'", "整数": "an integer", "数字": "a number",
    "True 或 False": "True or False", "列表（或表达式）": "a list (or an expression)",
    "对象（或表达式）": "a dict (or an expression)", "数据源操作": "Operator",
    "请选择数据源操作": "Choose an operator", "未注册": "not registered",
    "该操作未注册，部署会被拒绝": "This operator is not registered; the deploy will be refused",
    "结果变量": "Result variable", "服务任务": "Service task", "人工任务": "User task", "表单": "Form",
    "（无表单）": "(no form)", "不存在": "missing", "办理角色（候选组）": "Roles (candidate groups)",
    "留空则使用所在泳道的角色": "Empty: the lane's roles apply", "办理期限（工作日）": "Deadline (working days)",
    "办理说明": "Instructions", "泳道": "Lane", "角色（候选组）": "Roles (candidate groups)",
    "泳道中人工任务默认由这些角色办理": "User tasks in this lane go to these roles unless they name their own",
    "开始事件": "Start event", "可直接发起的角色（startRoles）": "Roles that may start it directly (startRoles)",
    "留空则只能由上级流程或所属业务服务发起，任何人都不能通过接口直接发起；区县人员只能为本区县发起":
        "Empty: only its parent flow or the service that owns it starts it, nobody directly through the API; "
        "district staff start only for their own district",
    "调用子流程": "Call activity", "子流程": "Called process", "未部署": "not deployed",
    "业务规则任务": "Business rule task", "计时器": "Timer", "期限（工作日）": "Deadline (working days)",
    "按中国法定节假日和调休计算，写成 workdays_from_now(n)":
        "Counted on China's holiday calendar with make-up working days; written as workdays_from_now(n)",
    "计时方式": "Timer kind", "到期时间（timeDate）": "Date (timeDate)", "持续时间（timeDuration）":
        "Duration (timeDuration)", "循环（timeCycle）": "Cycle (timeCycle)", "表达式": "Expression",
    "字面量请加引号，例如 \"PT1H\"": "Quote literals, e.g. \"PT1H\"", "脚本": "Script", "流转条件": "Condition",
    "在服务器沙箱中计算的表达式": "An expression evaluated in the server's sandbox", "前置脚本": "Pre-script",
    "后置脚本": "Post-script", "脚本与条件": "Scripts and conditions",
    "政策参数（脚本中的数值）": "Policy parameters (numbers the script sets)",
    "脚本和表达式只在服务器的沙箱中执行，浏览器不会执行它们。":
        "Scripts and expressions run only in the server's sandbox, never in the browser.",
    "选中一个元素以编辑属性": "Select an element to edit its properties",
    "服务任务未选择数据源操作": "The service task has no operator", "人工任务未选择表单": "The user task has no form",
    "校验未通过：{errors} 个错误，{warnings} 个警告": "Validation failed: {errors} errors, {warnings} warnings",
    "校验通过（{warnings} 个警告）": "Valid ({warnings} warnings)", "通过": "Passed", "未通过": "Failed",
    "路径": "Path", "场景试运行结果": "Scenario results", "通过 {passed} 个，未通过 {failed} 个":
        "{passed} passed, {failed} failed", "场景": "Scenario", "详情": "Details",
    "processes/ 中没有该流程的场景文件": "processes/ holds no scenario file for this process",
    "正在试运行场景…": "Running the scenarios…", "场景未运行": "Scenarios not run",
    "请填写部署说明": "Please write a deployment comment", "正在部署…": "Deploying…", "部署被拒绝": "Deploy refused",
    "内容未变": "unchanged", "已部署：{what}": "Deployed: {what}",
    "内容没有变化，版本不变：{what}": "Nothing changed, the version stays: {what}", "正在校验…": "Validating…",
    "校验请求失败": "The validation request failed", "打开文件时有 {n} 个警告": "{n} warnings while opening the file",
    "无法打开文件": "Cannot open the file", "正在重新计算已决案件…": "Replaying decided cases…",
    "预览失败": "Preview failed",
    "重新计算了 {cases} 个已决案件：{flipped} 个资格结论变化，{intermediate} 个仅中间结果变化":
        "{cases} decided cases replayed: eligibility flips in {flipped}, only intermediate values change in "
        "{intermediate}", "政策影响": "Policy impact", "资格结论": "Eligibility",
    "资格结论变化：{n} 个案件": "Eligibility flips: {n} cases",
    "仅中间结果变化（资格结论不变）：{n} 个案件": "Only intermediate values change (eligibility unchanged): {n} cases",
    "符合": "Eligible", "不符合": "Not eligible", "未知": "Unknown", "不变": "Unchanged",
    "修改前": "Before", "修改后": "After", "命中规则（行）": "Matched rules (rows)",
    "无法计算的案件": "Cases that could not be evaluated",
}


def js_texts() -> dict[str, str]:
    """Key → text in the session's language, for the page's scripts."""
    return {key: t(text) for key, text in JS_TEXTS.items()}
