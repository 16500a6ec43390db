"""Masking of ID numbers, names and phone numbers."""

from __future__ import annotations

from app.privacy import mask_id_number, mask_name, mask_phone, mask_tree


def test_id_numbers_keep_first_six_and_last_four():
    assert mask_id_number("11010519900101123X") == "110105********123X"
    assert mask_id_number("110105900101123") == "110105*****1123"
    assert mask_id_number("not an id") == "not an id"


def test_names_and_phones():
    assert [mask_name(n) for n in ("张三丰", "李四", "欧阳娜娜", "王")] == ["张*丰", "李*", "欧**娜", "王"]
    assert mask_phone("电话 13812345678") == "电话 138****5678"


def test_trees_are_masked_in_values_and_keys():
    tree = {"cells": {"500103199405120136": {"summary": "配偶 500103199501010022 已登记"}},
            "phone": "13983001001", "count": 2}
    assert mask_tree(tree) == {
        "cells": {"500103********0136": {"summary": "配偶 500103********0022 已登记"}},
        "phone": "139****1001", "count": 2}


def test_text_too_short_for_a_number_is_left_as_it_is_and_the_shortest_numbers_are_masked():
    assert mask_tree({"name": "张三", "found": True, "1381234567": "1381234567"}) == {
        "name": "张三", "found": True, "1381234567": "1381234567"}  # ten digits: not a mobile number
    assert mask_tree({"13812345678": "110105900101123"}) == {"138****5678": "110105*****1123"}
