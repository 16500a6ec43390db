"""English for the batch-import pages' own texts (registered by :mod:`app.web.batch_import`)."""

EN = {
    "申请人账号填写申请人在本系统的登录账号（须为申请人账号）；立案后由申请人本人在网上办事大厅确认选房、签约。":
        "In 申请人账号 write the applicant's own login here (an applicant account); once the case is started, "
        "the applicant answers the offer and signs the lease in the portal.",
    "您只能导入本区县（{district}）的申请。": "You can import applications of your own district ({district}) only.",
    "导入已中断（服务重启），已立案的申请不受影响。":
        "The import was interrupted (the server restarted); cases already started are not affected.",
    "继续立案": "Start the rest",
    "{done} / {total} 件": "{done} / {total}",
}
