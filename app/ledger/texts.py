"""English for the ledger pages' own texts (registered with :func:`app.web.i18n.register_catalogue`)."""

EN = {
    "我的账单": "My bills", "租金台账": "Rent ledger", "我的租金账单": "My rent bills",
    "租赁合同 {no}": "Lease {no}", "您还没有已入住的租赁合同": "You have no lease you have moved into yet",
    "账期": "Period", "项目": "Item", "应缴日期": "Due on", "金额（元）": "Amount (yuan)", "已缴（元）": "Paid (yuan)",
    "押金": "Deposit", "租金": "Rent", "未缴": "Unpaid", "部分缴纳": "Partly paid", "已缴清": "Paid",
    "押金抵扣": "Offset from the deposit", "已取消": "Cancelled", "逾期未缴": "Overdue",
    "入住后按租金计划生成账单": "Bills are generated from the rent schedule at move-in",
    "缴费记录": "Payments", "到账日期": "Received on", "方式": "Method", "交易流水号": "Transaction reference",
    "暂无缴费记录": "No payments yet", "窗口缴纳": "Paid at the counter", "银行转账": "Bank transfer",
    "银行代扣导入": "Bank file import",
    "月租金 {rent} 元；押金 {deposit} 元，已缴 {held} 元。":
        "Monthly rent {rent} yuan; deposit {deposit} yuan, {held} yuan paid.",
    "押金已结算，退还 {refund} 元。": "Deposit settled: {refund} yuan refunded.",
    "已欠缴租金 {months} 个月，共 {amount} 元。": "Rent owed for {months} month(s), {amount} yuan in total.",
    "没有逾期未缴的租金。": "No rent is overdue.", "返回租金台账": "Back to the rent ledger", "承租人": "Tenant",
    "登记缴费": "Record a payment", "缴费日期": "Paid on", "交易流水号（选填）": "Transaction reference (optional)",
    "备注（选填）": "Note (optional)", "缴费方式": "Method",
    "显示全部租约": "Show every lease", "只看欠租": "Arrears only",
    "合同编号": "Lease no.", "区县": "District", "月租金（元）": "Monthly rent (yuan)", "欠缴月数": "Months owed",
    "欠缴金额（元）": "Amount owed (yuan)", "欠缴 {n} 个月": "{n} month(s) owed", "没有租约": "No leases",
    "导入银行缴费文件": "Import a bank payment file",
    "CSV 文件，表头：交易流水号、合同编号、金额、到账日期、备注（选填）。同一流水号只入账一次。":
        "A CSV file with the header 交易流水号, 合同编号, 金额, 到账日期, 备注 (optional). "
        "Each reference is booked once.",
    "缴费文件": "Payment file", "导入": "Import", "行号": "Line", "结果": "Result",
    "已入账 {amount} 元": "{amount} yuan booked", "该流水号已入账，已跳过": "Already booked; skipped",
    "导入完成：入账 {ok} 笔，重复跳过 {dup} 笔，有误 {bad} 行":
        "Import done: {ok} booked, {dup} duplicates skipped, {bad} row(s) with errors",
    "文件未导入：{detail}": "File not imported: {detail}",
    "已登记缴费 {amount} 元": "Payment of {amount} yuan recorded",
}
