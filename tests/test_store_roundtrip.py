"""A store gives back exactly the records the folder readers give: times (with summer time
and its repeated hour), pauses, empty and awkward text, decimal points."""

from __future__ import annotations

from pathlib import Path

from store_helpers import CASE_HEADER, FINDING_HEADER, RATING_HEADER, write_csv

from govhall.readers import ReadReport
from govhall.readers.folder import DataFolder
from govhall.session import open_hall
from govhall.store import StoreSource, ingest

ROOT = Path(__file__).resolve().parent.parent


def test_records_come_back_exactly_as_the_folder_reads_them(
    tmp_path: Path, store_target: str
) -> None:
    text = (ROOT / "configs" / "pinghu.toml").read_text(encoding="utf-8")
    text = text.replace('county = "pinghu"', 'county = "pinghu"\ntimezone = "America/New_York"', 1)
    config_path = tmp_path / "new-york.toml"
    config_path.write_text(text, encoding="utf-8")
    hall = open_hall(config_path)
    data = tmp_path / "data"
    awkward = 'Zhang, "Xiao" San 张三'  # a CSV row is one line: no value holds a line break
    write_csv(
        data / "cases.csv",
        CASE_HEADER,
        [
            # 01:30 happens twice on 2010-11-07 in New York: first EDT (-04:00), then EST
            ["a1", "police", "household-move", "promised", "2010-11-07T01:30-04:00",
             "concluded", "2010-11-07T01:30-05:00", "1", awkward,
             "2010-11-08/2010-11-09;2010-11-11"],
            ["a2", "police", "residence-certificate", "immediate", "2010-03-14T03:30",
             "accepted", "", "0", "", ""],
            ["a3", "police", "residence-certificate", "immediate", "2010-06-01T09:00+08:00",
             "delivered", "2010-06-01T10:00:00.250+08:00", "12", "", ""],
        ],
    )  # fmt: skip
    write_csv(
        data / "ratings.csv",
        RATING_HEADER,
        [
            ["a1", "police", awkward, "1", "2010-11-07T01:45-05:00", "热线"],
            ["a1", "police", "", "5", "2010-11-07T01:45-04:00", "热线"],
        ],
    )
    write_csv(
        data / "findings.csv",
        FINDING_HEADER,
        [
            ["2010-11-08", "police", "", "window.intake.negligence", "", "3.50"],
            ["2010-11-08", "police", awkward, "window.intake.negligence", "2", ""],
        ],
    )
    result = ingest(hall.config, data, store_target)
    assert result.rejected == 0, result.problems
    assert result.total("inserted") == 7

    def everything(source: object) -> tuple[list[object], ...]:
        report = ReadReport()
        found = (
            list(source.cases(hall.zone, report)),  # type: ignore[attr-defined]
            sorted(source.ratings(hall.zone, report), key=repr),  # type: ignore[attr-defined]
            sorted(source.findings(report), key=repr),  # type: ignore[attr-defined]
        )
        assert report.rejected == 0
        return found

    folder_cases, folder_ratings, folder_findings = everything(DataFolder(data))
    store_cases, store_ratings, store_findings = everything(StoreSource(store_target, "pinghu"))
    assert sorted(store_cases, key=repr) == sorted(folder_cases, key=repr)
    assert store_ratings == folder_ratings
    assert store_findings == folder_findings
    # equal instants are not enough: the same offsets and wall-clock times
    shown = sorted(
        (c.case_id, c.received_at.isoformat(), c.concluded_at and c.concluded_at.isoformat())
        for c in store_cases
    )
    assert shown == sorted(
        (c.case_id, c.received_at.isoformat(), c.concluded_at and c.concluded_at.isoformat())
        for c in folder_cases
    )
    assert ("a1", "2010-11-07T01:30:00-04:00", "2010-11-07T01:30:00-05:00") in shown
    assert [r.rated_at.isoformat() for r in store_ratings] == [
        r.rated_at.isoformat() for r in folder_ratings
    ]
    # and a second import of the same files changes nothing
    again = ingest(hall.config, data, store_target)
    assert (again.total("unchanged"), again.total("inserted"), again.total("updated")) == (7, 0, 0)
