// Chinese for the labels bpmn-js, dmn-js and bpmnlint draw themselves (palette, context pad,
// decision table headers, hit policies, lint button). English pages keep the libraries' own.

const ZH = {
  // bpmn-js palette, context pad, menus
  'Activate hand tool': '抓手工具', 'Activate lasso tool': '套索工具',
  'Activate create/remove space tool': '创建/删除空间', 'Activate global connect tool': '连线工具',
  'Create start event': '创建开始事件', 'Create intermediate/boundary event': '创建中间/边界事件',
  'Create end event': '创建结束事件', 'Create gateway': '创建网关', 'Create task': '创建任务',
  'Create data object reference': '创建数据对象', 'Create data store reference': '创建数据存储',
  'Create expanded sub-process': '创建展开的子流程', 'Create pool/participant': '创建池/参与者',
  'Create group': '创建分组', 'Append end event': '追加结束事件', 'Append gateway': '追加网关',
  'Append task': '追加任务', 'Append intermediate/boundary event': '追加中间/边界事件',
  'Append timer intermediate catch event': '追加计时器事件', 'Append message intermediate catch event': '追加消息事件',
  'Append receive task': '追加接收任务', 'Append signal intermediate catch event': '追加信号事件',
  'Append conditional intermediate catch event': '追加条件事件', 'Append compensation activity': '追加补偿活动',
  'Add lane above': '在上方添加泳道', 'Add lane below': '在下方添加泳道', 'Divide into two lanes': '拆分为两条泳道',
  'Divide into three lanes': '拆分为三条泳道', 'Add text annotation': '添加文字注释', 'Change element': '更改类型',
  'Delete': '删除', 'Connect to other element': '连接到其他元素', 'Connect using association': '用关联连接',
  'Connect using data input association': '用数据输入关联连接', 'Align elements': '对齐', 'Search in diagram': '在图中搜索',
  'Distribute elements horizontally': '水平均匀分布', 'Distribute elements vertically': '垂直均匀分布',
  'Toggle non-interrupting': '切换为非中断', 'Loop': '循环', 'Parallel multi-instance': '并行多实例',
  'Sequential multi-instance': '串行多实例', 'Collection': '集合', 'Open {element}': '打开 {element}',
  // bpmnlint
  '{errors} Errors, {warnings} Warnings': '{errors} 个错误，{warnings} 个警告', 'No Issues': '没有问题',
  'Toggle linting overlays': '显示/隐藏规范检查', 'Issues for child elements': '子元素的问题',
  // dmn-js decision tables
  'When': '当', 'And': '且', 'Then': '则', 'Annotations': '备注', 'Annotation': '备注', 'Hit policy:': '命中策略：',
  'Hit policy': '命中策略', 'View DRD': '查看决策关系图', 'Unique': '唯一（Unique）', 'First': '首个（First）',
  'Priority': '优先级（Priority）', 'Any': '任一（Any）', 'Collect': '汇集（Collect）', 'Collect (Sum)': '汇集求和（Sum）',
  'Collect (Min)': '汇集最小值（Min）', 'Collect (Max)': '汇集最大值（Max）', 'Collect (Count)': '汇集计数（Count）',
  'Rule order': '规则顺序（Rule order）', 'Output order': '输出顺序（Output order）', 'Add rule': '添加规则',
  'Add rule above': '在上方添加规则', 'Add rule below': '在下方添加规则', 'Remove rule': '删除规则', 'Copy rule': '复制规则',
  'Cut rule': '剪切规则', 'Paste rule above': '粘贴到上方', 'Paste rule below': '粘贴到下方', 'Add input': '添加输入',
  'Add output': '添加输出', 'Add input column left': '在左侧添加输入列', 'Add input column right': '在右侧添加输入列',
  'Remove input column': '删除输入列', 'Add output column left': '在左侧添加输出列', 'Add output column right': '在右侧添加输出列',
  'Remove output column': '删除输出列', 'Input label': '输入名称', 'Input expression': '输入表达式', 'Input type': '输入类型',
  'Output label': '输出名称', 'Output name': '输出变量', 'Output type': '输出类型', 'Decision name': '决策名称',
  'Expression language': '表达式语言', 'Strings must be in double quotes': '字符串须加双引号', 'Edit': '编辑',
  'Add cell description': '添加单元格说明', 'Remove cell description': '删除单元格说明', 'Yes': '是', 'No': '否',
  'Predefined values': '预定义值', 'Input values': '输入值', 'Output values': '输出值',
};

function translate(template, replacements) {
  const text = ZH[template] || template;
  return text.replace(/{([^}]+)}/g, (whole, key) => (replacements && key in replacements ? replacements[key] : whole));
}

/** The diagram-js module that translates the editors' labels, for pages in Chinese. */
export function translationModules(lang) {
  return lang === 'zh' ? [{ translate: ['value', translate] }] : [];
}

/** dmn-js options giving each of its views the translation (its `common` options cannot). */
export function dmnTranslationOptions(lang) {
  const views = ['drd', 'decisionTable', 'literalExpression', 'boxedExpression'];
  return Object.fromEntries(views.map((view) => [view, { additionalModules: translationModules(lang) }]));
}
