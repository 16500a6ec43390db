"""English for the pages' Chinese text (:func:`app.web.i18n.t` looks texts up here).

Keys are the Chinese exactly as templates and views write it; ``{name}`` placeholders must
match. ``tests/web/test_i18n.py`` fails when a text on a page has no entry here.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # layout, login, errors
    "保障房审批系统": "Housing approval", "个人信息依法保护，公示信息已脱敏":
        "Personal data protected by law; publications are de-identified",
    "登录": "Log in", "退出": "Log out", "退出登录": "Log out", "用户名": "Username", "密码": "Password",
    "用户名或密码错误": "Wrong username or password", "欢迎，{name}": "Welcome, {name}",
    "长辈模式": "Large-print mode", "标准模式": "Standard mode",
    "修改密码": "Change password", "当前密码": "Current password", "新密码": "New password",
    "再次输入新密码": "New password again", "当前密码错误": "The current password is wrong",
    "两次输入的新密码不一致": "The two new passwords differ",
    "新密码至少 {n} 个字符": "The new password needs at least {n} characters",
    "此账号由统一身份认证管理，请在那里修改密码":
        "This account is managed by the identity provider; change the password there",
    "密码已修改，请用新密码重新登录": "Password changed; log in with the new password",
    "修改后，您在所有设备上的登录和接口令牌都会失效，需要用新密码重新登录。":
        "Afterwards every session and API token you hold ends, on every device; log in again with the new password.",
    "{title}响应正常，用时 {ms} 毫秒": "{title} answered in {ms} ms",
    "内部处理程序，无需连接": "Internal handler; nothing to connect to",
    "业务编号": "Reference no.",
    "必填": "Required", "不在可选范围内": "Not one of the choices", "太短": "Too short", "太长": "Too long",
    "格式不正确": "Wrong format", "类型不正确": "Wrong type", "太小": "Too small", "太大": "Too large",
    "数量不足": "Too few", "数量过多": "Too many", "请勾选确认": "Please tick to confirm", "有重复项": "Has duplicates",
    "不符合要求": "Not valid",
    "演示账号：": "Demo accounts: ", "等，密码": "…, password",
    "演示账号：applicant、street_yz、district_yz、minzheng、city、admin 等，密码 demo123":
        "Demo accounts: applicant, street_yz, district_yz, minzheng, city, admin …, password demo123",
    "返回首页": "Back to the start page", "请求无效": "Bad request", "需要登录": "Please log in",
    "无权访问": "Not allowed", "页面或记录不存在": "Not found", "状态已变化": "The case has moved on",
    "文件太大": "File too large", "提交的内容不符合要求": "The submission is not valid",
    "操作太频繁，请稍后再试": "Too many requests; try again later", "出错了": "Something went wrong",
    "流程数据 {size} 字节，超过上限 {limit} 字节，本步未保存":
        "Instance data of {size} bytes is over the limit of {limit} bytes; the step was not saved",
    # navigation
    "审核工作台": "Review inbox", "批量导入": "Batch import", "我的申请": "My applications",
    "公示": "Publication", "系统管理": "Administration", "异常事件": "Incidents", "队列": "Queues",
    "数据源连接": "Data sources", "流程版本": "Process versions",
    # inbox
    "我的待办": "My tasks", "待认领": "To claim", "已办": "Done", "住房类型": "Housing type",
    "公租房": "Public rental housing", "保租房": "Affordable rental housing", "全部": "All",
    "环节": "Step", "区县": "District", "申请编号": "Application no.", "仅超期": "Overdue only",
    "筛选": "Filter", "清除": "Clear", "批量通过的审核意见（每件单独记录）":
        "Opinion for batch approval (recorded for each case)", "经审核，符合条件，同意。":
        "Reviewed: eligible, approved.", "批量通过所选": "Approve selected", "全选": "Select all",
    "选择": "Select", "申请人": "Applicant", "期限": "Deadline", "办理人": "Assignee",
    "办结于": "Completed", "超期 {n} 个工作日": "{n} working days overdue", "今日到期": "Due today",
    "无期限": "No deadline", "剩 {n} 个工作日": "{n} working days left", "认领": "Claim",
    "放回任务池": "Put back in the pool",
    "不作任何决定，把任务放回本组的待认领列表，由同组人员认领":
        "No decision is taken: the task goes back to your group's pool for anyone in the group to claim",
    "不作任何决定，把任务放回本组的待认领列表，由同组人员认领；要把案件退回上一环节，请在下方选择“退回”。":
        "No decision is taken: the task goes back to your group's pool for anyone in the group to claim; "
        "to send the case back to an earlier step, choose \"Return\" below.",
    "没有任务": "No tasks", "第一页": "First page", "下一页": "Next page", "已认领：{name}": "Claimed: {name}",
    "已放回任务池：{name}，同组人员可认领": "Put back in the pool: {name}; anyone in the group may claim it",
    "批量通过 {n} 件": "{n} cases approved", "未通过 {key}：{message}": "Not approved {key}: {message}",
    "批量通过需要填写审核意见": "Batch approval needs an opinion", "没有选择任务": "No task selected",
    "一次最多批量处理 100 件": "At most 100 cases at once", "此任务的表单需要逐件填写":
        "This task's form must be filled in case by case",
    # task page
    "状态": "Status", "待办理": "Open", "已办结": "Completed", "已取消": "Cancelled",
    "办理期限": "Due", "未认领": "Unclaimed", "查看完整证件号（将记录审计）": "Show whole ID numbers (audited)",
    "正在显示完整证件号，本次查看已记录审计": "Whole ID numbers shown; this view has been audited",
    "办理": "Act", "此任务已办结": "This task is completed", "此任务已由 {who} 认领": "Claimed by {who}",
    "提交": "Submit", "办理记录": "Case history", "结论": "Decision", "意见": "Opinion",
    "流程图（当前环节高亮）": "Diagram (current step highlighted)", "案件数据": "Case data",
    "请检查标红的项目": "Please check the fields marked in red", "已办理：{name}": "Done: {name}",
    "立案": "Case opened", "办结": "Case closed", "异常": "Incident", "异常重试": "Incident retried",
    "查看完整证件号": "Whole ID numbers viewed", "手动触发计时": "Timers fired by hand",
    # portal
    "待我办理": "Waiting for me", "请于 {when} 前办理": "Please act before {when}", "当前环节": "Current step",
    "提交时间": "Submitted", "办理中": "In progress", "已撤销": "Withdrawn", "还没有申请": "No applications yet",
    "申请进度": "Application progress", "办理进度": "Progress",
    # publicity
    "暂无公示": "Nothing is being published",
    # admin
    "待处理异常": "Open incidents", "排队中的调用": "Calls waiting", "待处理": "Open", "已处理": "Resolved",
    "时间": "Time", "流程": "Process", "错误": "Error", "第 {n} 行": "line {n}", "重试": "Retry",
    "没有异常": "No incidents", "已重试异常 #{id}": "Incident #{id} retried",
    "重新推进": "Re-run engine steps", "确认已知悉": "Acknowledge",
    "重新执行引擎步骤并重建待办": "Re-run the engine steps and rebuild the inbox rows",
    "流程停滞：无待办、作业、定时器或消息可推进":
        "Stalled: no task, job, timer or message can move this case on",
    "已重新推进异常 #{id}": "Incident #{id}: engine steps re-run",
    "调用任务（按状态）": "Calls by state", "消息队列": "Queue", "深度": "depth",
    "未完成调用（按数据源操作）": "Open calls by operation", "操作": "Operations", "队列为空": "The queue is empty",
    "测试全部连接": "Test every connection", "连接器": "Connector", "说明": "Message", "未测试": "Not tested",
    "正常": "OK", "没有注册的连接器": "No connectors registered", "类型": "Kind", "标识": "Key", "名称": "Name",
    "最新版本": "Newest version", "版本数": "Versions", "部署时间": "Deployed", "部署人": "Deployed by",
    "决策表": "Decision", "尚未部署流程": "Nothing deployed yet", "版本": "Version",
    # batch import
    "1. 下载模板": "1. Download the template", "2. 上传": "2. Upload", "下载 CSV 模板": "Download CSV template",
    "下载 Excel 模板": "Download Excel template", "下载问题清单": "Download the problem list",
    "共 {rows} 行，{apps} 件申请，其中 {valid} 件通过校验。":
        "{rows} rows, {apps} applications, {valid} of them valid.",
    "列": "Column", "导入结果": "Import result", "已完成：立案 {n} 件": "Finished: {n} cases started",
    "已立案": "Cases started", "已立案 {n} 件": "{n} cases started",
    "文件（.csv 或 .xlsx，不超过 {mb} MB、{rows} 行）": "File (.csv or .xlsx, at most {mb} MB and {rows} rows)",
    "最近的导入": "Recent imports", "校验并导入": "Check and import", "正在立案…": "Starting cases…",
    "每行一位家庭成员；同一申请的成员填写相同的申请序号，其中一行为“申请人本人”。":
        "One row per household member; members of one application share its sequence number, and one row "
        "is the applicant.",
    "没有立案": "No case started", "没有问题": "No problems", "申请序号": "Sequence no.", "行号": "Row",
    "请选择要上传的文件": "Choose a file to upload", "逐行问题": "Problems by row", "问题": "Problem",
    # case panels
    "申请人与家庭": "Applicant and household", "身份证号码": "ID number", "手机号码": "Mobile",
    "家庭类型": "Household type", "单身": "Single", "核心家庭": "Nuclear family", "多代同堂": "Multi-generation",
    "资格判定": "Eligibility", "符合": "Eligible", "不符合": "Not eligible", "姓名": "Name", "关系": "Relation",
    "月收入（元）": "Monthly income (CNY)", "工作单位": "Employer", "联合核查": "Cross-department verification",
    "数据源": "Source", "原始数据": "Raw answer", "规则判定": "Rule verdicts", "结果": "Result",
    "第 {n} 条规则": "Rule {n}", "没有规则命中": "No rule matched", "判定依据": "Facts used",
    "各部门会签意见": "Countersignatures", "返回任务": "Back to the task", "没有记录": "Nothing recorded",
    "通过": "Pass", "参考": "Note", "无法核查": "Unavailable",
    # portal
    "申请保障性住房": "Apply for housing", "提交申请": "Submit the application", "文件": "File",
    "材料类型": "Document type", "申请材料（PDF、JPG、PNG，每个不超过 {mb} MB）":
        "Documents (PDF, JPG, PNG, at most {mb} MB each)", "申请已提交，申请编号 {no}":
        "Application submitted, number {no}", "家庭成员": "Household members", "需要补正材料":
        "Documents or information are missing", "补正材料": "Supplement", "提交补正": "Submit the supplement",
    "补正材料已提交": "Supplement submitted",
    # publicity
    "保障性住房资格审核公示": "Public notice of housing eligibility",
    # links to the public-service pages (app/public) from the 公示 page
    "办事服务": "Public services", "政策文件库": "Policy library", "服务指南": "Service guide",
    "常见问题": "FAQ", "办理进度查询": "Application progress",
    "公示期内，对公示对象有异议的，可实名提出并说明理由。公示信息已依法脱敏。":
        "During the notice period anyone may object under their real name, giving reasons. The lists are "
        "de-identified as the law requires.",
    "批次": "Batch", "公示期 {start} 至 {end}": "Notice period {start} to {end}", "家庭人数": "Household size",
    "提出异议": "Object", "异议须实名提出；您的身份信息仅用于核查，不会公开。":
        "Objections need your real name; your identity is used only to investigate and is never published.",
    "异议事实和理由": "Facts and reasons", "提交异议": "Submit the objection",
    "异议已受理，回执号 {receipt}": "Objection received, receipt {receipt}",
    "资格规则": "Eligibility rules", "规则": "Rule", "优先群体": "Priority groups", "民政": "Civil affairs",
    "住建": "Housing and construction", "人社": "Human resources and social security",
    "计时器": "Timers", "等待计时器的案件": "Cases waiting for a timer", "到期时间": "Due",
    "公示期、办理期限等按工作日计时；演示或处理滞留案件时可令其立即到期，操作记入审计。":
        "Publication periods and deadlines run in working days; for a demo or a stuck case an operator may "
        "let them expire now (audited).",
    "立即到期": "Expire now", "没有等待中的计时器": "No case is waiting for a timer",
    "已触发 {n} 个计时器": "{n} timers fired",
    "已提交": "Submitted", "待补正": "Supplement requested", "联合核查中": "Being verified", "审核中": "In review",
    "公示中": "Published", "轮候中": "On the waiting list", "已配租": "Offered", "已签约": "Lease signed",
    "未通过": "Rejected", "已撤回": "Withdrawn", "已退出": "Exited",
    "申请人本人": "Applicant", "配偶": "Spouse", "子女": "Child", "父母": "Parent", "共同申请人": "Co-applicant",
    "其他": "Other",
    # allocation and leases
    "配租": "Allocation", "发起配租": "Start a round", "发起": "Start", "轮候名单": "Waiting list", "序号": "No.",
    "轮候分": "Score", "轮候名单为空": "Nobody is waiting", "配租轮次": "Rounds", "轮次": "Round", "方式": "Method",
    "房源数": "Units", "种子哈希": "Seed hash", "摇号": "Lottery", "选房": "Choice in order",
    "还没有配租轮次": "No round yet", "已发起配租 {no}": "Round {no} started", "我的租赁合同": "My leases",
    "合同编号": "Lease no.", "房屋": "Unit",
    "月租金（元）": "Monthly rent (CNY)", "租期": "Term", "合同": "Contract", "申请退出": "Apply to leave",
    "申请退租": "Apply to leave the flat",
    "提交退出申请": "Submit", "退出申请已提交": "Exit application submitted",
    "提交退租申请": "Submit", "退租申请已提交": "Application to leave the flat submitted",
    # joining texts, and messages raised by services (app/services) that pages show
    "、": ", ", "；": "; ", "：": ": ", "{detail}：{fields}": "{detail}: {fields}",
    "请检查标红的项目：{detail}": "Please check the fields marked in red: {detail}",
    "必填，至少 2 个字": "Required, at least 2 characters", "至少选择一件": "Choose at least one",
    "至多 {n} 件": "At most {n}", "无法识别文件编码（请保存为 UTF-8 CSV）":
        "Unknown file encoding (save it as UTF-8 CSV)", "文件超过 {mb} MB": "The file is over {mb} MB",
    "表头与模板不一致，请下载模板后填写":
        "The header row differs from the template; download the template and fill it in",
    "一次最多导入 {n} 行": "At most {n} rows at once", "文件中没有数据行": "The file has no data rows",
    "不是有效的 XLSX 文件": "Not a valid XLSX file", "只接受 .csv 或 .xlsx 文件": "Only .csv or .xlsx files",
    "XLSX 文件无法读取：{error}": "The XLSX file cannot be read: {error}", "导入 {id} 不存在": "Import {id} not found",
    "申请人本人的关系应为“申请人本人”": "The applicant's own row must have the relation “Applicant”",
    "申请人关系错误": "Wrong relation for the applicant",
    "更正后的家庭成员须包括申请人本人": "The corrected household members must include the applicant",
    "须包括申请人本人（关系为“申请人本人”）": "Must include the applicant (relation “Applicant”)",
    "身份证号码有误": "Invalid ID number",
    "只能提交本人的申请": "You can only submit your own application",
    "只能为{district}的申请人提交申请": "You can only submit applications for applicants in {district}",
    "只有申请人本人可以补正材料": "Only the applicant can send a supplement",
    "申请 {no} 当前不需要补正": "Application {no} needs no supplement now",
    "上传的文件未通过检查": "The uploaded files did not pass the checks",
    "文件须随申请一并上传，不能引用已存文件": "Files must be uploaded with the request; a stored file cannot be named",
    "只有工作人员可以查看案件列表": "Only staff can see the list of cases",
    "核查明细仅供工作人员查看": "Only staff can see the verification details",
    "申请 {no} 已经立案": "Application {no} has already been started", "申请 {no} 不存在": "Application {no} not found",
    "{name}：只接受 PDF、JPG、PNG 文件": "{name}: only PDF, JPG and PNG files are accepted",
    "文件类型不允许": "File type not allowed", "{name}：文件为空": "{name}: the file is empty",
    "文件为空": "Empty file",
    "{name}：文件超过 {mb} MB": "{name}: the file is over {mb} MB",
    "{name}：文件内容与扩展名不符": "{name}: the content does not match the file extension",
    "文件内容与类型不符": "Content does not match the file type",
    "申请 {no} 没有材料 {file}": "Application {no} has no document {file}",
    "提交的数据未通过表单校验": "The submission did not pass the form's checks",
    "迁移到版本 {version} 后有环节找不到定义，未迁移":
        "Not migrated: after moving to version {version} a step has no definition",
    "迁移到版本 {version} 后案件状态无法读取，未迁移：{error}":
        "Not migrated: the case state cannot be read after moving to version {version}: {error}",
    "异议详情仅供工作人员查看": "Only staff can see objection details",
    "申请 {no} 不在公示期内，无法提出异议": "Application {no} is not being published; no objection can be filed",
    "只有配租管理人员可以发起配租": "Only allocation staff can start a round",
    "轮候名单仅供工作人员查看": "Only staff can see the waiting list",
    "租赁合同 {no} 尚未生成": "Lease {no} has not been drawn up yet",
    "只有承租人本人可以申请自愿退出": "Only the tenant can apply to leave voluntarily",
    "只有运维人员可以提前触发计时器": "Only operators can let timers fire early",
    "依法退出由住房保障部门决定": "An exit by law is decided by the housing authority",
    "租赁合同 {no} 不存在": "Lease {no} not found",
    "用户名或密码错误 (wrong username or password)": "Wrong username or password",
    "当前密码错误 (the current password is wrong)": "The current password is wrong",
    # form checks (app/services/forms.py): a Chinese prefix, then the validator's own message
    "必填: {detail}": "Required: {detail}", "不在可选范围内: {detail}": "Not one of the choices: {detail}",
    "太短: {detail}": "Too short: {detail}", "太长: {detail}": "Too long: {detail}",
    "格式不正确: {detail}": "Wrong format: {detail}", "类型不正确: {detail}": "Wrong type: {detail}",
    "太小: {detail}": "Too small: {detail}", "太大: {detail}": "Too large: {detail}",
    "数量不足: {detail}": "Too few: {detail}", "数量过多: {detail}": "Too many: {detail}",
    "{district}{year}年{month}月{day}日{housing}资格审核结果公示":
        "{housing}: eligibility results for {district}, published {year}-{month}-{day}",
    # data sources (connector titles) in the verification table
    "短信网关": "SMS gateway", "配租系统": "Allocation system", "公示平台": "Publication platform",
    "水电气用量": "Water, electricity and gas use",
    "公安居住证": "Residence permits (public security)", "残联残疾人证": "Disability certificates",
    "税务个人所得税": "Individual income tax", "学信网学历": "Education records",
    "住房公积金": "Housing provident fund",
    "民政低保特困": "Subsistence allowance (civil affairs)", "不动产登记": "Real estate registry",
    "公安户籍": "Household registration (public security)", "公安交管车辆": "Vehicle registration (traffic police)",
    "住建网签备案与保障记录": "Housing contracts and housing support records", "人社社保": "Social insurance",
    "民政婚姻登记": "Marriage registry (civil affairs)", "医保": "Medical insurance",
    "市场监管企业登记": "Business registry (market regulation)",
    "民政家庭经济状况核对": "Household finances check (civil affairs)",
    # the applicant's stages, next steps and who acted on their case (app/services/portal_service.py)
    "待选房": "Choose your flat", "待签约": "Sign the lease", "待入住": "Move in", "已入住": "Housed",
    "下一步": "Next step",
    "街道初审": "Street office review", "区住房保障复审": "District housing review",
    "市住房保障中心": "City housing centre", "民政部门": "Civil affairs", "住建部门": "Housing department",
    "人社部门": "Human resources and social security", "异议核查": "Objection check", "配租办理": "Allocation office",
    "投诉督办": "Complaint supervision", "系统运维": "Operations", "本人": "You", "系统": "System",
    "工作人员": "Staff",
}
