"""Households waiting in 渝中区 and a lottery round over them, run through the allocation handlers
themselves (``allocation/commit`` publishes the hash, ``allocation/draw`` reveals the seed)."""

from __future__ import annotations

from app.db import db
from app.engine.operators import OperatorContext
from app.models import Application, WaitingListEntry
from handlers import allocation

DISTRICT = "渝中区"
#: (application no., name, ID number, what the public sees of the name)
HOUSEHOLDS = [("GZF2026-000101", "陈小东", "500103199001011234", "陈*东"),
              ("GZF2026-000102", "李四", "500103198502023456", "李*"),
              ("GZF2026-000103", "欧阳娜娜", "50010319920303789X", "欧**娜")]
UNITS = [{"code": "YZ-0101", "address": "渝中区解放碑路1号1-1", "area": 45.0, "rent": 600.0},
         {"code": "YZ-0102", "address": "渝中区解放碑路1号1-2", "area": 50.0, "rent": 650.0}]


def seed_waiting_households() -> list[str]:
    """The three households, approved and waiting for a 公租房 unit; their application numbers."""
    with db.transaction() as session:
        for number, name, id_number, _masked in HOUSEHOLDS:
            case = Application(application_no=number, housing_type="gongzufang", district=DISTRICT,
                               applicant_username=f"u{number[-3:]}", applicant_name=name,
                               applicant_name_masked=name[0] + "*", applicant_id_number=id_number,
                               household_type="nuclear", household_size=2, status="waiting", current_step="轮候",
                               declared={}, outcome={}, supplement={})
            session.add(case)
            session.flush()
            session.add(WaitingListEntry(application_id=case.id, application_no=number, housing_type="gongzufang",
                                         district=DISTRICT, household_size=2, score=10.0, priority_groups=[]))
    return [h[0] for h in HOUSEHOLDS]


def _ctx() -> OperatorContext:
    return OperatorContext(idempotency_key="lottery-test", instance_id="lottery-test")


def open_round(round_no: str) -> dict:
    """``allocation/commit`` of a lottery round over :data:`UNITS`."""
    return allocation.commit({"round_no": round_no, "housing_type": "gongzufang", "district": DISTRICT,
                              "method": "lottery", "units": UNITS}, _ctx())


def draw_round(round_no: str) -> dict:
    """``allocation/draw`` of the round."""
    return allocation.draw({"round_no": round_no}, _ctx())


def seed_queue(count: int, usernames: tuple[str, ...] = (), first: int = 201, declines: dict | None = None) \
        -> list[str]:
    """``count`` two-person households waiting for a 公租房 unit in 渝中区, in this queue order.

    The first households belong to ``usernames`` (demo users who can log in), the others to
    ``u<number>``; ``declines`` gives some households offers declined before. Returns their numbers.
    """
    numbers = []
    with db.transaction() as session:
        for i in range(count):
            number = f"GZF2026-{first + i:06d}"
            username = usernames[i] if i < len(usernames) else f"u{first + i}"
            name = "张" + "一二三四五六七八九十"[i % 10] + "华"
            case = Application(application_no=number, housing_type="gongzufang", district=DISTRICT,
                               applicant_username=username, applicant_name=name,
                               applicant_name_masked=name[0] + "*" + name[-1],
                               applicant_id_number=f"500103199001{first + i:06d}", household_type="nuclear",
                               household_size=2, status="waiting", current_step="轮候", declared={}, outcome={},
                               supplement={})
            session.add(case)
            session.flush()
            session.add(WaitingListEntry(application_id=case.id, application_no=number, housing_type="gongzufang",
                                         district=DISTRICT, household_size=2, score=1000.0 - i, priority_groups=[],
                                         declines=(declines or {}).get(i, 0)))
            numbers.append(number)
    return numbers


def units_csv(count: int, prefix: str = "YZ-XF") -> bytes:
    """A stock import sheet (CSV, the import's own columns) of ``count`` 渝中区 公租房 units a
    two-person household may take: one bedroom 40 m² and two bedrooms 55 m² in turn."""
    from app.stock import sheet

    lines = [",".join(title for _key, title in sheet.COLUMNS)]
    for i in range(count):
        building, room = i // 40 + 1, f"{(i % 40) // 4 + 1:02d}{i % 4 + 1:02d}"
        layout, area = ("一室一厅", "40") if i % 2 == 0 else ("两室一厅", "55")
        lines.append(",".join([f"{prefix}-{building}-{room}", "和居苑", DISTRICT, "渝中区大坪正街18号", f"{building}栋",
                               room, "公租房", layout, area, str((i % 40) // 4 + 1), "按面积", "12",
                               "是" if i % 3 == 0 else "否", "地铁1号线大坪站 400米、大坪小学"]))
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")
