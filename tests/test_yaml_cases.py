"""YAML case files (``*.govhall.yaml``) collected by the govhall.testing pytest plugin."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.testing import (
    Case,
    CaseFileError,
    _prepare,
    _Samples,
    answer,
    compare,
    read_case_file,
)

pytest_plugins = ["pytester"]

HALL = """\
[hall]
county = "pinghu"

[[items]]
id = "move"
name = "户口迁移"
window = "police"
kind = "promised"
promised_days = 5

[[items]]
id = "certificate"
name = "户籍证明"
window = "police"
kind = "immediate"

[scoring.parameters]
# the source leaves the completion deduction out (《县行政服务中心窗口服务考核实施细则》一.5); one
# point here
"window.results.completion.points" = 1
"""

PASSING = """\
# every question once, against the Pinghu plugin only
- name: National Day moves the due day past the make-up Saturday
  config: hall.toml
  plugins: [govhall_pinghu]
  deadline: {item: move, received: 2026-09-30T10:00}
  expect: {due: 2026-10-13T17:30:00+08:00, working_days: 5, status: on_track}

- name: police Saturday duty
  config: hall.toml
  plugins: [govhall_pinghu]
  hours: {on: 2026-10-17}
  expect:
    day: {kind: saturday, workday: false}
    windows: [{window: police, intervals: [[09:00, 11:00], [14:00, 16:00]]}]

- name: closed at a holiday noon
  config: hall.toml
  plugins: [govhall_pinghu]
  open: {at: 2026-10-03T12:00}
  expect: {open: [], closed: [{window: police, next_open: 2026-10-03T14:00}]}

- name: default chain
  config: hall.toml
  plugins: [govhall_pinghu]
  chain: {item: move}
  expect: {depth: 1, on_the_spot: false}

- name: phones
  config: hall.toml
  plugins: [govhall_pinghu]
  show:
  expect: {hall: {phones: {consultation: 0573-85061999}}}

- name: one overdue case
  config: hall.toml
  plugins: [govhall_pinghu]
  kpi:
    data: {cases: [{case_id: c1, window: police, item: move, kind: promised,
                    received_at: 2010-03-01T09:00, status: concluded,
                    concluded_at: 2010-03-10T10:00, visits: 1}]}
  expect: {accepted: 1, concluded: 1, on_time_rate: 0.0, completion_rate: 1.0}

- name: an overdue case costs the window 5 points (《县行政服务中心窗口服务考核实施细则》)
  config: hall.toml
  plugins: [govhall_pinghu]
  score:
    month: 2010-03
    data: {cases: [{case_id: c1, window: police, item: move, kind: promised,
                    received_at: 2010-03-01T09:00, status: concluded,
                    concluded_at: 2010-03-10T10:00, visits: 1}]}
  expect:
    windows:
      contains:
        - window: police
          score: 95
          lines: {contains: [{rule: window.time-limit.overdue, points: -5,
                              evidence: [case:c1]}]}

- name: an unknown item is an error
  config: hall.toml
  plugins: [govhall_pinghu]
  chain: {item: nope}
  raises: no item with id 'nope'
"""


@pytest.fixture
def hall_dir(pytester: pytest.Pytester) -> pytest.Pytester:
    """Return a pytester folder holding ``hall.toml`` (a Pinghu hall)."""
    pytester.makefile(".toml", hall=HALL)
    return pytester


def _case_file(pytester: pytest.Pytester, text: str, name: str = "cases") -> Path:
    return pytester.makefile(".govhall.yaml", **{name: textwrap.dedent(text)})


def test_a_passing_case_file_runs_one_test_per_case(hall_dir: pytest.Pytester) -> None:
    _case_file(hall_dir, PASSING)
    result = hall_dir.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(
        [
            "cases.govhall.yaml::National Day moves the due day past the make-up Saturday PASSED*",
            "cases.govhall.yaml::an unknown item is an error PASSED*",
        ]
    )


FAILING = """\
- name: right
  config: hall.toml
  plugins: [govhall_pinghu]
  deadline: {item: move, received: 2026-09-30T10:00}
  expect: {working_days: 5}

- name: forgot the make-up Saturday
  config: hall.toml
  plugins: [govhall_pinghu]
  deadline: {item: move, received: 2026-09-30T10:00}
  expect: {due: 2026-10-14T17:30:00+08:00, working_days: 4, dew: x}

- name: unknown item
  config: hall.toml
  plugins: [govhall_pinghu]
  deadline: {item: nope, received: 2026-09-30T10:00}
  expect: {}
- name: wrong error
  config: hall.toml
  plugins: [govhall_pinghu]
  chain: {item: nope}
  raises: something else
- name: no error at all
  config: hall.toml
  plugins: [govhall_pinghu]
  chain: {item: move}
  raises: nope
"""

# (case on one line, the message after "cases.govhall.yaml:LINE: case 'a': ")
MALFORMED = [
    (
        "{name: a, config: hall.toml, hours: {on: 2026-10-10}, expct: {}}",
        "unknown key 'expct'; did you mean 'expect'? "
        "(questions: deadline, open, hours, chain, kpi, score, ratings, show)",
    ),
    (
        "{name: a, config: hall.toml, hours: {onn: 2026-10-10}, expect: {}}",
        "hours.onn: unknown option; did you mean 'on'? (hours takes on, window)",
    ),
    ("{name: a, config: hall.toml, hours: {}, expect: {}}", "hours.on: missing (required)"),
    (
        "{name: a, config: hall.toml, expect: {}}",
        "a case asks exactly one of deadline, open, hours, chain, kpi, score, ratings, show; "
        "found none",
    ),
    (
        "{name: a, config: hall.toml, show: , chain: {item: x}, expect: {}}",
        "a case asks exactly one of deadline, open, hours, chain, kpi, score, ratings, show; "
        "found chain, show",
    ),
    (
        "{name: a, hours: {on: 2026-10-10}, expect: {}}",
        "config: missing: the path of a hall config, relative to this file",
    ),
    (
        "{name: a, config: hall.toml, show: }",
        "a case has either 'expect' (the answer) or 'raises' (an error text)",
    ),
    (
        "{name: a, config: hall.toml, hours: {on: 10/10/2026}, expect: {}}",
        "hours.on: '10/10/2026' is not a date YYYY-MM-DD",
    ),
    (
        "{name: a, config: hall.toml, plugins: [govhall_nowhere], show: , expect: {}}",
        "plugins[0]: cannot import 'govhall_nowhere': No module named 'govhall_nowhere'",
    ),
    (
        "{name: a, config: hall.toml, kpi: {}, expect: {}}",
        "kpi: give either 'data' (a folder) or 'sample' (generated data)",
    ),
    (
        "{name: a, config: hall.toml, kpi: {data: {case: []}}, expect: {}}",
        "data.case: unknown table; did you mean 'cases'? "
        "(tables: cases, findings, ratings, rectifications)",
    ),
    (
        "{name: a, config: hall.toml, show: , expect: {}, tolerance: -1}",
        "tolerance: expected a number >= 0, got -1",
    ),
    ("just text", 'a case is a mapping, got "just text"'),
]


def _literal(line: str) -> str:
    """Escape ``[`` for fnmatch_lines, which reads it as a character class."""
    return line.replace("[", "[[]")


def test_failing_cases_say_file_line_name_expected_and_got(hall_dir: pytest.Pytester) -> None:
    _case_file(hall_dir, FAILING)
    result = hall_dir.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=4)
    expected = [
        "cases.govhall.yaml:7: case 'forgot the make-up Saturday': expect.due: "
        'expected "2026-10-14T17:30:00+08:00", got "2026-10-13T17:30:00+08:00"',
        "  expect.working_days: expected 4, got 5",
        "  expect.dew: not in the answer (it has item, received, due, working_days, window, "
        "counted_from, pauses, now, status, elapsed_minutes, remaining_minutes, explanation, "
        "warnings)",
        "cases.govhall.yaml:13: case 'unknown item': deadline: govhall raised LookupFailed: "
        "no item with id 'nope' (known: move, certificate)",
        "cases.govhall.yaml:18: case 'wrong error': raises: expected an error containing "
        "'something else', got: no item with id 'nope' (known: move, certificate)",
        "cases.govhall.yaml:23: case 'no error at all': raises: expected an error "
        'containing \'nope\', got the answer {"item": "move", "depth": 1, *',
    ]
    result.stdout.fnmatch_lines([_literal(line) for line in expected])
    assert "Traceback" not in result.stdout.str()


def test_malformed_cases_fail_naming_the_key(hall_dir: pytest.Pytester) -> None:
    lines = [case.replace("name: a", f"name: m{n}") for n, (case, _) in enumerate(MALFORMED, 1)]
    _case_file(hall_dir, "".join(f"- {line}\n" for line in lines))
    result = hall_dir.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=len(MALFORMED))
    expected = [
        f"cases.govhall.yaml:{n}: case '{'m' if 'name: a' in case else 'case '}{n}': {message}"
        for n, (case, message) in enumerate(MALFORMED, 1)
    ]
    result.stdout.fnmatch_lines([_literal(line) for line in expected])


def test_files_that_are_not_case_lists_are_collection_errors(pytester: pytest.Pytester) -> None:
    pytester.makefile(".govhall.yaml", syntax="- a: 1\n- b: c: d\n", shape="name: a\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*shape.govhall.yaml:1: unknown key 'name' at the top; "
            "expected cases, config, plugins, tolerance",
            "*syntax.govhall.yaml:2: not valid YAML: mapping values are not allowed here",
        ],
        consecutive=False,
    )


def test_without_pyyaml_the_file_fails_naming_the_extra(hall_dir: pytest.Pytester) -> None:
    hall_dir.makeconftest("import sys\nsys.modules['yaml'] = None\n")
    _case_file(hall_dir, PASSING)
    result = hall_dir.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    message = (
        "PyYAML is needed to read YAML case files (cases.govhall.yaml): "
        'pip install "govhall[testing]" (or pip install pyyaml)'
    )
    result.stdout.fnmatch_lines([_literal(message)])


def test_file_forms_names_and_default_plugins(hall_dir: pytest.Pytester) -> None:
    hall_dir.makefile(".yaml", test_cases=PASSING)  # not *.govhall.yaml: not collected
    hall_dir.makefile(
        ".govhall.yaml",
        mapping="""\
config: hall.toml
plugins: [govhall_pinghu]
cases:
  - name: a
    show:
    expect: {hall: {id: pinghu}}
  - name: a
    show:
    expect: {hall: {id: pinghu}}
""",
        plugins="""\
- name: installed plugins answer when the case names none
  config: hall.toml
  show:
  expect: {hall: {county: pinghu}}
- name: only the built-in plugin
  config: hall.toml
  plugins: []
  show:
  raises: no installed plugin serves county 'pinghu'
""",
    )
    result = hall_dir.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "mapping.govhall.yaml::a PASSED*",
            "mapping.govhall.yaml::a (line 7) FAILED*",
            "plugins.govhall.yaml::installed plugins answer when the case names none PASSED*",
            "plugins.govhall.yaml::only the built-in plugin PASSED*",
            "mapping.govhall.yaml:7: case 'a (line 7)': duplicate name 'a': already used on line 4",
        ]
    )


# -- reading ---------------------------------------------------------------------


def test_case_files_read_yaml_1_2_core_values(tmp_path: Path) -> None:
    text = """\
- name: x
  hours: {on: 2026-10-10}
  expect: {a: 14:00, b: yes, c: true, d: 010, e: 12, f: 0.5, g: 2026-10-13T17:30:00+08:00}
"""
    [case] = read_case_file(tmp_path / "x.govhall.yaml", text)
    assert case.line == 1
    assert case.data["hours"] == {"on": "2026-10-10"}
    assert case.data["expect"] == {
        "a": "14:00",
        "b": "yes",
        "c": True,
        "d": "010",
        "e": 12,
        "f": 0.5,
        "g": "2026-10-13T17:30:00+08:00",
    }


def test_case_lines_and_defaults_come_from_the_file(tmp_path: Path) -> None:
    text = "config: a.toml\ncases:\n  - name: one\n    show:\n\n  - name: two\n    show:\n"
    cases = read_case_file(tmp_path / "x.govhall.yaml", text)
    assert [(c.name, c.line, c.defaults) for c in cases] == [
        ("one", 3, {"config": "a.toml"}),
        ("two", 6, {"config": "a.toml"}),
    ]


def test_a_bad_yaml_file_raises_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match=r"x.govhall.yaml:2: not valid YAML"):
        read_case_file(tmp_path / "x.govhall.yaml", "- a: 1\n- b: c: d\n")


# -- comparing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "problems"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, []),
        ({"a": 1}, {"a": 2}, ["x.a: expected 1, got 2"]),
        ({"a": 1}, {"b": 1}, ["x.a: not in the answer (it has b)"]),
        ([1, 2], [1, 2], []),
        ([1], [1, 2], ["x: expected 1 element(s) [1], got 2: [1, 2]"]),
        ([{"a": 1}], [{"a": 1, "b": 0}], []),
        ({"contains": [{"a": 2}]}, [{"a": 1}, {"a": 2}], []),
        ({"contains": [{"a": 3}]}, [{"a": 1}], ['x: no element matches {"a": 3}; got [{"a": 1}]']),
        ({"contains": "ump"}, "assumption", []),
        (
            {"contains": "zzz"},
            "assumption",
            ['x: expected text containing "zzz", got "assumption"'],
        ),
        (True, 1, ["x: expected true, got 1"]),
        (1, True, ["x: expected 1, got true"]),
        (None, 0, ["x: expected null, got 0"]),
        (0.5, 0.5, []),
        ("1", 1, ['x: expected "1", got 1']),
        ("2026-10-13T17:30+08:00", "2026-10-13T17:30:00+08:00", []),
        ("2026-10-13T09:30Z", "2026-10-13T17:30:00+08:00", []),
        ("2026-10-13T17:30", "2026-10-13T17:30:00+08:00", []),
        (
            "2026-10-13T17:31",
            "2026-10-13T17:30:00+08:00",
            ['x: expected "2026-10-13T17:31", got "2026-10-13T17:30:00+08:00"'],
        ),
        (
            "2026-10-13",
            "2026-10-13T00:00:00+08:00",
            ['x: expected "2026-10-13", got "2026-10-13T00:00:00+08:00"'],
        ),
    ],
)
def test_compare(expected: object, actual: object, problems: list[str]) -> None:
    assert compare(expected, actual, "x") == problems


def test_compare_numbers_within_the_tolerance() -> None:
    assert compare(0.9976, 0.99758, "x", tolerance=0.0001) == []
    assert compare(0.9976, 0.99758, "x") == ["x: expected 0.9976, got 0.99758"]
    assert compare(0.9976, 0.9974, "x", tolerance=0.0001) == ["x: expected 0.9976, got 0.9974"]


# -- the same answers as the command line ------------------------------------------


@pytest.mark.parametrize(
    ("question", "argv"),
    [
        ({"hours": {"on": "2026-10-10"}}, ["hours", "--on", "2026-10-10"]),
        ({"open": {"at": "2026-10-03T12:00"}}, ["open", "--at", "2026-10-03T12:00"]),
        (
            {
                "deadline": {
                    "item": "move",
                    "received": "2026-09-30T10:00",
                    "pauses": ["2026-10-08/2026-10-09"],
                    "now": "2026-10-12T09:00",
                }
            },
            [
                "deadline",
                "--item",
                "move",
                "--received",
                "2026-09-30T10:00",
                "--pause",
                "2026-10-08/2026-10-09",
                "--now",
                "2026-10-12T09:00",
            ],
        ),
        ({"chain": {"item": "move"}}, ["chain", "--item", "move"]),
        ({"show": None}, ["show"]),
        ({"kpi": {"data": "data"}}, ["kpi", "--data", "{data}"]),
        (
            {"score": {"data": "data", "month": "2010-03"}},
            ["score", "--data", "{data}", "--month", "2010-03"],
        ),
        (
            {"ratings": {"data": "data", "month": "2010-03", "as_of": "2010-04-20T09:00"}},
            ["ratings", "--data", "{data}", "--month", "2010-03", "--as-of", "2010-04-20T09:00"],
        ),
    ],
)
def test_a_case_answers_what_the_command_prints_with_json(
    tmp_path: Path, question: dict[str, object], argv: list[str]
) -> None:
    (tmp_path / "hall.toml").write_text(HALL, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "cases.csv").write_text(
        "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
        "c1,police,move,promised,2010-03-01T09:00,concluded,2010-03-10T10:00,1\n"
        "c2,police,move,promised,2010-03-02T09:00,in_review,,1\n",
        encoding="utf-8",
    )
    (data / "ratings.csv").write_text(
        "case_id,window,staff,level,rated_at,channel,tags\n"
        "c1,police,,2,2010-03-10T11:00,sms,无理由超过法定办理时间\n"
        "c2,police,,5,2010-03-03T09:00,pad,\n",
        encoding="utf-8",
    )
    (data / "rectifications.csv").write_text(
        "case_id,channel,rated_at,verified_at,rectified_at,replied_at,outcome\n"
        "c1,sms,2010-03-10T11:00,2010-03-11T09:00,2010-03-15T09:00,2010-03-16T09:00,rectified\n",
        encoding="utf-8",
    )
    case = Case("x", 1, {"name": "x", "config": "hall.toml", "expect": {}, **question})
    samples = _Samples()
    try:
        document = answer(_prepare(case, tmp_path), samples)
    finally:
        samples.close()
    command = [argv[0], str(tmp_path / "hall.toml"), *(a.format(data=data) for a in argv[1:])]
    result = CliRunner().invoke(main, [*command, "--json"])
    assert result.exit_code == 0, result.output
    assert document == json.loads(result.stdout)


def test_sample_data_is_written_once_per_config_and_seed(tmp_path: Path) -> None:
    (tmp_path / "hall.toml").write_text(HALL, encoding="utf-8")
    samples = _Samples()
    try:
        folders = []
        for seed in (1, 1, 2):
            data = {"name": "x", "config": "hall.toml", "expect": {}}
            case = Case("x", 1, {**data, "kpi": {"sample": {"seed": seed, "rows": 20}}})
            document = answer(_prepare(case, tmp_path), samples)
            folders.append(Path(document["data"]["files"][0]["path"]).parent)
        assert folders[0] == folders[1] != folders[2]
        assert document["cases"] == 20
    finally:
        samples.close()
    assert not folders[0].exists()


def test_the_pytest_plugin_does_not_import_yaml_until_a_case_file_is_read() -> None:
    import subprocess
    import sys

    code = "import sys, govhall.testing; print('yaml' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
