"""The stock import sheet (CSV, or XLSX since openpyxl is a dependency): columns and template.

Reading the file is the application import's (:func:`app.services.batch_import_rows.read_sheet`);
each row is checked by :func:`app.stock.units.check` and its problems are named by column title.
"""

from __future__ import annotations

from app.services.batch_import_rows import csv_bytes, xlsx_bytes

#: key, column title
COLUMNS = [
    ("code", "房屋编号"),
    ("project", "小区名称"),
    ("district", "区县"),
    ("address", "地址"),
    ("building", "楼栋"),
    ("room_no", "房号"),
    ("housing_type", "住房类型"),
    ("layout", "户型"),
    ("usable_area", "使用面积（平方米）"),
    ("floor", "楼层"),
    ("rent_basis", "租金方式"),
    ("rent_rate", "租金标准（元/平方米·月，或元/月）"),
    ("has_lift", "有电梯"),
    ("facilities", "配套与交通"),
]
TITLES = dict(COLUMNS)
EXAMPLE = [
    ["YZ-HJ-1-0101", "和居苑", "渝中区", "渝中区大坪正街18号", "1栋", "0101", "公租房", "一室一厅", "38.5", "1",
     "按面积", "12", "否", "地铁1号线大坪站 400米、大坪小学"],
    ["YZ-HJ-2-1502", "和居苑", "渝中区", "渝中区大坪正街18号", "2栋", "1502", "公租房", "两室一厅", "62", "15",
     "固定租金", "780", "是", "地铁1号线大坪站 400米；菜市场"],
]


def template_rows() -> list[list[str]]:
    """The header and two example units."""
    return [[title for _key, title in COLUMNS], *EXAMPLE]


def template_csv() -> bytes:
    """The template as UTF-8 CSV with a BOM."""
    return csv_bytes(template_rows())


def template_xlsx() -> bytes:
    """The template as an Excel workbook (codes and room numbers stored as text)."""
    return xlsx_bytes(template_rows(), "房源", ("A", "F"))
