"""Public 摇号 pages, no login: the rounds, and one round's participants, hash, seed and order.

Both read :mod:`app.lottery.service`; names and ID numbers are masked there. The round page
links to its JSON (``/api/v1/public/lottery/<round no>``), which ``scripts/verify-lottery`` checks.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.api.input_guard import refuse_unstorable_input
from app.lottery import service
from app.web import errors

#: the name starts with "web" so the pages get the site's menu and user (see app.web._template_globals)
bp = Blueprint("web_lottery", __name__, url_prefix="/public/lottery", template_folder="templates")
bp.before_request(refuse_unstorable_input)
errors.register(bp)
STATUS_NAMES = {"committed": "已公布种子哈希，待摇号", "drawn": "已摇号", "closed": "已摇号，配租已完成"}


@bp.get("")
def index():
    """Every lottery round, newest first (one district with ``?district=``)."""
    district = request.args.get("district", "").strip()[:64] or None
    return render_template("lottery/index.html", rounds=service.public_rounds(district), district=district,
                           status_names=STATUS_NAMES)


@bp.get("/<round_no>")
def round_page(round_no: str):
    """One round: masked participants, the seed hash and when it was published, the seed and the order."""
    return render_template("lottery/round.html", r=service.public_round(round_no), status_names=STATUS_NAMES)
