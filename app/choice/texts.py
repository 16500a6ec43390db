"""English for the choice pages' own texts (registered with :func:`app.web.i18n.register_catalogue`)."""

EN = {
    "在线选房": "Online choice",
    "选房进度": "Choice progress",
    "等待选房": "Waiting",
    "正在选房": "Choosing",
    "已选定": "Chosen",
    "逾期未选（计为放弃一次）": "Window missed (counted as a decline)",
    "无匹配房源，本轮跳过": "No matching unit left, passed over",
    "未开始": "Not started",
    "选房进行中": "Choosing in progress",
    "选房已结束": "Finished",
    "待开始": "Not started",
    "已配房，待答复": "Offered, awaiting answers",
    "已结束": "Closed",
    "配租中": "In a round",
    "已配房": "Housed",
    "已移出": "Removed",
    "剩余 {h} 小时 {m} 分钟": "{h} h {m} min left",
    "您已选定房源 {code}（{address}），请等待签约通知。": "You chose unit {code} ({address}); you will be asked to "
                                                       "sign the lease.",
    "本轮选房已结束。": "This round is over.",
    "轮到您选房了": "It is your turn to choose",
    "截止 {due}": "until {due}",
    "请从下列房源中选定一套；逾期未选视为放弃一次，轮到下一户。": "Choose one of the units below; if the window "
                                                          "passes, it counts as a decline and the next household's "
                                                          "turn begins.",
    "您在选房时限内未选定房源，计为放弃一次；您仍在轮候名单中。": "You did not choose within your window; it counts "
                                                          "as a decline. You stay on the waiting list.",
    "剩余房源中没有符合您家庭条件的房源，本轮跳过；您仍在轮候名单中。": "No unit left fits your household; you are "
                                                              "passed over this round and stay on the waiting list.",
    "您家庭排第 {rank} 位（共 {n} 户），请等待轮到您家庭。": "Your household is number {rank} of {n}; please wait "
                                                      "for your turn.",
    "当前第 {rank} 位（{name}）正在选房": "Number {rank} ({name}) is choosing",
    "可选房源": "Units you may choose",
    "查看您的排序和可选房源": "see your place and the units you may choose",
    "{n} 套": "{n} units",
    "周边配套": "Facilities",
    "选定": "Choose",
    "没有符合您家庭条件的剩余房源": "No unit left fits your household",
    "页面每 {s} 秒自动刷新": "refreshes every {s} seconds",
    "共 {n} 户：已选定 {a} 户，逾期未选 {e} 户，无匹配跳过 {p} 户；剩余空置房源 {left} / {units} 套。":
        "{n} households: {a} chose, {e} missed their window, {p} passed over; {left} of {units} units still vacant.",
    "当前第 {rank} 位（{name}，{no}）正在选房": "Number {rank} ({name}, {no}) is choosing",
    "排序": "Rank",
    "选定房源": "Unit chosen",
    "时间": "Time",
    "返回配租": "Back to allocation",
    "现在不是您的选房时间，请等待轮到您家庭": "It is not your turn yet; please wait for your household's turn",
    "您的选房时间已结束": "Your window has closed",
    "请选择一套房源": "Choose a unit",
    "本轮没有这套房源": "This round has no such unit",
    "这套房源不在您家庭可选的户型、面积范围内": "This unit is outside the layouts and areas your household may choose",
    "请在在线选房页面选定房源": "Choose the unit on the online choice page",
    "房源 {code} 已被其他家庭选定，请从刷新后的房源中另选一套": "Unit {code} was taken by another household; choose "
                                                        "another from the refreshed list",
    "您不在选房轮次 {round_no} 中": "You are not in choice round {round_no}",
    "选房轮次 {round_no} 不存在": "There is no choice round {round_no}",
    "选房进度仅供住房保障工作人员查看": "Only housing staff can see the progress",
}
