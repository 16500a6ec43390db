"""English for the public lottery pages (registered with :func:`app.web.i18n.register_catalogue`)."""

EN = {
    "摇号结果": "Lottery results",
    "保障性住房配租摇号公示": "Public housing allocation lotteries",
    "每轮摇号前公布随机种子的 SHA-256 哈希值，摇号后公布种子和结果，任何人都可以复算核对。":
        "Before each draw the SHA-256 hash of a random seed is published; after the draw the seed and the "
        "result are published, so anyone can recompute and check them.",
    "轮次": "Round",
    "区县": "District",
    "住房类型": "Housing type",
    "参与户数": "Households",
    "房源数": "Units",
    "状态": "Status",
    "种子哈希公布时间": "Seed hash published",
    "摇号时间": "Drawn at",
    "暂无摇号轮次": "No lottery rounds yet",
    "已公布种子哈希，待摇号": "Seed hash published, not drawn yet",
    "已摇号": "Drawn",
    "已摇号，配租已完成": "Drawn, allocation completed",
    "摇号公示 {round_no}": "Lottery {round_no}",
    "参与 {n} 户，房源 {units} 套": "{n} households, {units} units",
    "种子与哈希": "Seed and hash",
    "种子哈希（SHA-256）": "Seed hash (SHA-256)",
    "哈希公布时间": "Hash published at",
    "种子": "Seed",
    "摇号后公布": "Published after the draw",
    "本轮尚未摇号。请记下上面的哈希值：摇号后公布的种子必须与它相符。":
        "This round has not been drawn yet. Note the hash above: the seed published after the draw must match it.",
    "下载本轮数据（JSON）": "Download this round's data (JSON)",
    "摇号算法（{name}）": "Draw algorithm ({name})",
    "摇号前，系统生成 256 位随机种子（64 个小写十六进制字符），只公布它的 SHA-256 哈希值和公布时间，种子保密。":
        "Before the draw the system generates a 256-bit random seed (64 lowercase hexadecimal characters) and "
        "publishes only its SHA-256 hash and the time of publication; the seed stays secret.",
    "参与名单按申请编号排序（规范顺序）后公布，此后不再改变。":
        "The participants are published sorted by application number (the canonical order) and do not change "
        "afterwards.",
    "摇号时公布种子。每户的排序值是字符串“种子:申请编号”（UTF-8 编码）的 SHA-256 值，写成小写十六进制。":
        "At the draw the seed is published. Each household's key is the SHA-256 of the string "
        "\"seed:application number\" (UTF-8), written in lowercase hexadecimal.",
    "按排序值从小到大排列即为摇号结果，第 1 位最先选房；排序值相同时按规范顺序。":
        "Sorting by key, smallest first, gives the result; number 1 chooses first. Equal keys keep the canonical "
        "order.",
    "任何人都可以核对：种子的 SHA-256 等于事先公布的哈希值，按上述方法复算的顺序与公布的结果一致。":
        "Anyone can check that the SHA-256 of the seed equals the hash published before, and that the order "
        "recomputed this way equals the published result.",
    "核对工具 scripts/verify-lottery 只需 Python 3、不依赖本系统，可读取下载的文件或数据网址。":
        "The checker scripts/verify-lottery needs only Python 3, not this system; give it the downloaded file or "
        "the address of the data.",
    "顺序号": "Rank",
    "申请编号": "Application no.",
    "申请人": "Applicant",
    "参与名单（按申请编号排序）": "Participants (sorted by application number)",
    "本轮没有参与家庭": "No households take part in this round",
    "返回摇号公示列表": "Back to the lottery rounds",
    "摇号轮次不存在": "No such lottery round",
    "摇号轮次 {round_no} 不存在": "Lottery round {round_no} does not exist",
}
