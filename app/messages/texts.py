"""English texts of the messages page and of the SMS templates (Chinese is the catalogue key)."""

from __future__ import annotations

EN = {
    "消息": "Messages", "{n} 条未读": "{n} unread", "新": "New", "短信": "SMS", "查看申请": "View application",
    "还没有消息": "No messages yet",
    "发送到您手机的每一条短信都在这里留存，最新的在前。": "Every SMS sent to your phone is kept here, newest first.",
    "您的申请 {application_no} 需要补正材料（第 {count} 次），请于 {deadline} 前登录网上门户一次性提交。":
        "Your application {application_no} needs more documents (request {count}); "
        "please submit them all in the portal by {deadline}.",
    "您的申请 {application_no} 已审核通过并登记轮候，当前轮候序号 {position}。":
        "Your application {application_no} was approved and is on the waiting list at position {position}.",
    "您的申请 {application_no} 未通过：{reason}。{rights}":
        "Your application {application_no} was refused: {reason}. {rights}",
    "租赁合同 {lease_no} 已签订，起租日 {starts_on}。": "Lease {lease_no} is signed; it starts on {starts_on}.",
    "租赁合同 {lease_no} 的电子签约验证码已发送到您的手机（验证码只在短信中显示，请勿告诉他人）。":
        "A signing code for lease {lease_no} was sent to your phone (the code is only in the SMS; do not share it).",
    "租赁合同 {lease_no} 年审不再符合条件：{reason}。":
        "Lease {lease_no}: the annual review found you no longer eligible: {reason}.",
    "租赁合同 {lease_no} 退出：{reason}，请于 {deadline} 前搬离。":
        "Lease {lease_no} ends: {reason}; please move out by {deadline}.",
    "租赁合同 {lease_no} 退租结算已完成，押金扣除 {kept} 元。":
        "Lease {lease_no} is settled; {kept} CNY of the deposit was kept.",
    "您的投诉 {complaint_no} 已答复：{reply}": "Your complaint {complaint_no} was answered: {reply}",
    "您的投诉 {complaint_no} 需要补充信息：{request}":
        "Your complaint {complaint_no} needs more information: {request}",
    "系统通知（{template}）": "Notice ({template})",
}
