"""Counting a data file's physical lines, as the DuckDB scan checks "one row a line"."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from govhall.readers.duck_scan import lines_counted, physical_lines

CHUNK = 1 << 20
"""What physical_lines reads at a time."""


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        (b"", 0),
        (b"a,b\n", 1),
        (b"a,b\n1,2\n", 2),
        (b"a,b\n1,2", 2),  # no line end after the last line
        (b"a,b\r\n1,2\r\n", 2),
        (b"a,b\r1,2\r", 2),  # old Mac line ends
        (b"a,b\n\n1,2\n", 3),  # a blank line is a line
        (b"a,b\r\n\r\n1,2", 3),
    ],
)
def test_physical_lines_counts_every_kind_of_line_end(
    tmp_path: Path, content: bytes, lines: int
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    assert physical_lines(path) == lines
    assert lines_counted(path).result() == lines


def test_a_crlf_split_between_two_reads_is_one_line_end(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    first = b"x" * (CHUNK - 1) + b"\r"  # the \r ends the first read, its \n begins the next
    path.write_bytes(first + b"\n1,2\r\n")
    assert physical_lines(path) == 2


def test_a_parquet_file_has_a_line_a_row(tmp_path: Path) -> None:
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({"case_id": ["a", "b", "c"]}), path)
    assert physical_lines(path) == 3


def test_a_count_that_fails_hands_its_error_to_whoever_waits(tmp_path: Path) -> None:
    counting = lines_counted(tmp_path / "gone.csv")
    with pytest.raises(FileNotFoundError):
        counting.result()
