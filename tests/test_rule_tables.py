"""The rule tables and the key numbers engines join on (``govhall.engines.tables``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_engines import SETUPS, _config

from govhall.engines.relations import relations_from_records
from govhall.engines.tables import KeyNumbers, build_rule_tables, day_no
from govhall.records import Case, Pause
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent


def test_windows_and_items_are_numbered_in_the_config_order_from_one() -> None:
    hall = open_hall(ROOT / "configs" / "zhenhai.toml")
    keys = KeyNumbers.of(hall.config)
    assert list(keys.windows) == [w.id for w in hall.config.windows]
    assert list(keys.windows.values()) == list(range(1, len(hall.config.windows) + 1))
    assert list(keys.items) == [i.id for i in hall.config.items]
    assert list(keys.items.values()) == list(range(1, len(hall.config.items) + 1))
    assert hall.keys == keys


def test_a_repeated_id_keeps_its_first_number() -> None:
    keys = KeyNumbers.numbered(["a", "b", "a", "c"], [])
    assert dict(keys.windows) == {"a": 1, "b": 2, "c": 3}
    assert dict(keys.items) == {}


def test_records_carry_their_numbers_and_an_unknown_id_none() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    at = dt.datetime(2024, 5, 6, 9, 30, tzinfo=tz)

    def case(case_id: str, window: str, item: str) -> Case:
        return Case(case_id, window, item, "promised", at, "accepted", None, 1, None, ())

    keys = KeyNumbers.numbered(["w1", "w2"], ["i1", "i2", "i3"])
    paused = Case("p", "w2", "i1", "promised", at, "accepted", None, 1, None,
                  (Pause(dt.date(2024, 5, 7), dt.date(2024, 5, 8)),))  # fmt: skip
    cases = [case("a", "w2", "i3"), case("b", "w9", "i1"), case("c", "w1", "i9"), paused]
    relations = relations_from_records(cases, (), keys)
    rows = relations.cases.select(["case_id", "win_no", "item_no", "has_pauses"]).to_pylist()
    assert rows == [
        {"case_id": "a", "win_no": 2, "item_no": 3, "has_pauses": 0},
        {"case_id": "b", "win_no": None, "item_no": 1, "has_pauses": 0},
        {"case_id": "c", "win_no": 1, "item_no": None, "has_pauses": 0},
        {"case_id": "p", "win_no": 2, "item_no": 1, "has_pauses": 1},
    ]


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_the_pre_joined_rule_rows_are_the_joins_they_replace(setup: str, tmp_path: Path) -> None:
    """``rule_due`` and the ordinals in ``rule_window_days`` say what the calendar joins said."""
    hall = open_hall(_config(setup, tmp_path))
    tables = build_rule_tables(hall.config, hall.time, dt.date(2024, 9, 20), dt.date(2024, 10, 20))
    calendar = {row["day_no"]: row for row in tables.calendar.to_pylist()}
    workdays = {row["wd"]: row["day_no"] for row in tables.workdays.to_pylist()}
    window_days = tables.window_days.to_pylist()
    keys = hall.keys
    for row in window_days:
        assert row["win_no"] == keys.windows[row["win"]]
        for side in ("before", "after"):
            counted = calendar.get(row[f"from_{side}"])  # the table's last days count from
            ordinal = (counted["wd"], counted["is_work"]) if counted else (None, None)  # beyond it
            assert (row[f"wd_{side}"], row[f"work_{side}"]) == ordinal
    # a row per window and working day: the closing time of that window on that day
    by_day = {(row["win_no"], row["day_no"]): row["due_us"] for row in window_days}
    expected = {
        (win_no, wd): by_day[win_no, day]
        for wd, day in workdays.items()
        for win_no in keys.windows.values()
    }
    due = {(row["win_no"], row["wd"]): row["due_us"] for row in tables.due.to_pylist()}
    assert due == expected
    assert {row["day_no"] for row in window_days} >= {day_no(dt.date(2024, 10, 1))}


@pytest.mark.parametrize("count_receipt_day", [False, True])
def test_each_item_has_the_days_of_either_kind(count_receipt_day: bool, tmp_path: Path) -> None:
    text = (ROOT / "configs" / "pinghu.toml").read_text(encoding="utf-8")
    if count_receipt_day:
        text += "\n[deadlines]\ncount_receipt_day = true\n"
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    hall = open_hall(path)
    tables = build_rule_tables(hall.config, hall.time, dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    rows = {row["item"]: row for row in tables.items.to_pylist()}
    assert list(rows) == [item.id for item in hall.config.items]
    for item in hall.config.items:
        promised = item.promised_days or 0
        if count_receipt_day and promised > 0:
            promised -= 1
        assert rows[item.id] == {
            "item": item.id,
            "item_no": hall.keys.items[item.id],
            "n_immediate": 0,
            "n_promised": promised,
        }
