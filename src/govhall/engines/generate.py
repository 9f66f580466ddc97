"""Sample data made by DuckDB: millions of cases in seconds, for the province-scale sample.

``govhall sample --months N`` (see :mod:`govhall.samples`) hands the hall's
rules to DuckDB as the small tables of :mod:`govhall.engines.tables` (a row
per date with its working-day ordinal, a row per window and date with its
open intervals and closing time, a row per item with its time limit) and
DuckDB draws every case at once, vectorised:

- a case's category (immediate, promised, open, refused), item, staff
  member, status, visits and timing are independent draws of
  ``hash(case, seed, stream)``: the same seed gives the same rows, in any
  number of threads;
- its receipt is a uniform draw over the window's open minutes in the
  period (an as-of join on the cumulative open minutes), so receipts fall
  on working days inside opening hours, more on longer days;
- a promised case is concluded on a random working day up to its due day,
  counted with the tables as the engines count it (a pause, 补正 for one to
  five days after receipt, moves the due day by its working days); a late one
  one to five working days after it; an immediate one minutes after receipt
  in the same open interval;
- a share of concluded cases is rated when concluded (level, channel, tags),
  and every bad rating (1-2) gets a work order's progress (核实, 整改,
  回访/反馈) counted in working days from the rating;
- more ratings than concluded cases (``Mix.rated`` above 1, a province's
  bulletin counts more ratings than cases): a case is then also rated from
  further channels, one rating per case and channel, the channels drawn by
  their shares without replacement, each further one minutes after the first
  on the day of conclusion; so no two ratings share a key (case, channel,
  moment) and none is repeated on its channel.

The shares (:class:`Mix`) are expectations, not exact totals: the exact
totals of the source documents are the small sample's job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govhall.engines.tables import build_rule_tables, day_no

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.time.hours import HallTime

SCALE = 1_000_000
"""Shares are drawn as ``hash % SCALE`` against whole-number thresholds."""
CHANNELS = (("pad", 0.57), ("kiosk", 0.03), ("online", 0.14), ("app", 0.06), ("sms", 0.16))
"""Rating channels and their shares (the rest: ``hotline``); illustrative."""
BAD_TAGS = ("无理由超过法定办理时间", "服务态度差", "办事指南不清晰", "多次跑腿", "等候时间长")
"""Tags of bad ratings (illustrative); the first is given with 40% of them."""
GOOD_TAGS = ("服务热情", "一次办结", "指引清楚")
"""Tags of some good ratings (illustrative); one to 10% of them."""
PAUSE_SHARE = 0.03
"""Promised concluded cases that were paused (补正) once, one to five days after receipt."""
REFUSED = ("not_accepted", "not_accepted", "correction", "returned")
"""Statuses of cases not accepted at intake, drawn uniformly (so half ``not_accepted``)."""
OPEN = ("accepted", "in_review", "in_review", "withdrawn")
"""Statuses of accepted cases not concluded, drawn uniformly."""
DELIVERED_SHARE = 0.3
"""Concluded cases whose status is ``delivered`` rather than ``concluded``."""
MAX_RATINGS_PER_CASE = len(CHANNELS) + 1
"""The most ratings of one case: one per channel (the listed ones and ``hotline``)."""
FURTHER = 100
"""Stream offset of a case's further ratings: its ``j``-th draws on stream ``s + 100 * j``."""


@dataclass(frozen=True, slots=True)
class Mix:
    """What a generated sample's cases are made of, as shares.

    Attributes:
        immediate: Immediate cases, of all cases (all concluded).
        promised: Promised concluded cases, of all cases.
        open: Accepted cases not concluded, of all cases.
        late: Promised concluded cases concluded after their due time, of those.
        visits: Shares of concluded cases in 1, 2 and 3 visits.
        rated: Expected ratings per concluded case, at most :data:`MAX_RATINGS_PER_CASE`.
            Up to 1 it is the share of concluded cases rated once; above 1
            every concluded case is rated ``floor(rated)`` times and a share
            ``rated - floor(rated)`` of them once more, each rating from a
            channel of its own.
        levels: Shares of the rating levels 5, 4, 3, 2, 1.
    """

    immediate: float
    promised: float
    open: float
    late: float
    visits: tuple[float, float, float]
    rated: float
    levels: tuple[float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class Generated:
    """The tables a generation left in its DuckDB connection, and their row counts."""

    cases: int
    ratings: int
    rectifications: int


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cut(share: float) -> int:
    return max(0, min(SCALE, round(share * SCALE)))


def _u(stream: int | str, key: str = "i") -> str:
    """A uniform whole number in [0, SCALE) for row ``key``, independent per stream."""
    return f"(gen_h({key}, {stream}) % {SCALE})"


def _per_rating(stream: int, j: str = "j") -> str:
    """Stream ``stream`` of a rating: the case's own for its first, ``+ 100 * j`` for the j-th."""
    return f"CAST({stream} + {FURTHER} * {j} AS INTEGER)"


def _pick(values: Sequence[str], stream: int | str, key: str = "i") -> str:
    """One of ``values``, uniformly."""
    listed = "[" + ", ".join(_q(v) for v in values) + "]"
    return f"{listed}[1 + CAST(gen_h({key}, {stream}) % {len(values)} AS INTEGER)]"


def _minute_at(offset: str, spans: int, alias: str) -> tuple[str, str]:
    """SQL for the open minute ``offset`` minutes into a window day, and its interval's end."""
    minute, end = ["CASE"], ["CASE"]
    before = "0"
    for k in range(1, spans + 1):
        width = f"({alias}.b{k} - {alias}.a{k})"
        upto = f"{before} + {width}"
        minute.append(f"WHEN {offset} < {upto} THEN {alias}.a{k} + {offset} - ({before})")
        end.append(f"WHEN {offset} < {upto} THEN {alias}.b{k}")
        before = f"{upto}"
    last = f"{alias}.b{spans}"
    minute.append(f"ELSE {last} - 1 END")
    end.append(f"ELSE {last} END")
    return " ".join(minute), " ".join(end)


def generate(
    connection: Any,
    config: HallConfig,
    time: HallTime,
    *,
    first: dt.date,
    last: dt.date,
    cases: int,
    seed: int,
    mix: Mix,
) -> Generated:
    """Fill ``gen_cases``, ``gen_ratings`` and ``gen_rectifications`` in a DuckDB connection.

    Receipts fall from ``first`` to ``last`` (both included). The tables
    hold typed columns (times as ``TIMESTAMP``, hall-local); empty values
    are ``NULL``. Cases are in receipt order, numbered from 1.

    Raises:
        ValueError: The hall has no window open on a working day of the
            period, or no item at such a window; or ``mix.rated`` is below 0
            or above :data:`MAX_RATINGS_PER_CASE`.
    """
    if not 0 <= mix.rated <= MAX_RATINGS_PER_CASE:
        raise ValueError(
            f"ratings per concluded case must be between 0 and {MAX_RATINGS_PER_CASE} "
            f"(one per channel), got {mix.rated:g}"
        )
    longest = max((item.promised_days or 0 for item in config.items), default=0)
    # far enough for a late conclusion after a pause (longest + 5 + 5 working days) and a
    # reply 20 working days on: 7 days a week for 5 working days, and two weeks of holidays
    reach = last + dt.timedelta(days=(longest + 31) * 7 // 5 + 14)
    rules = build_rule_tables(config, time, first, reach)
    db = connection
    for name, table in rules.as_dict().items():
        db.register(name, table)
    spans = rules.spans
    width = " + ".join(f"(b{k} - a{k})" for k in range(1, spans + 1))
    span_columns = ", ".join(f"a{k}, b{k}" for k in range(1, spans + 1))
    # a whole number in [0, 2**63) per (row, stream): the sample's one source of chance
    db.execute(
        f"CREATE OR REPLACE TEMP MACRO gen_h(k, s) AS CAST(hash(k, {int(seed)}, s) >> 1 AS BIGINT)"
    )
    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_days AS
SELECT r.win, r.day_no, r.closing, r.from_before, r.from_after, {span_columns},
       {width} AS mins
FROM rule_window_days r JOIN rule_calendar c ON c.day_no = r.day_no
WHERE c.is_work = 1
"""
    )
    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_open AS
SELECT *, row_number() OVER (PARTITION BY win ORDER BY day_no) - 1 AS idx
FROM gen_days
WHERE mins > 0 AND day_no BETWEEN {day_no(first)} AND {day_no(last)}
"""
    )
    totals = dict(db.execute("SELECT win, COUNT(*) FROM gen_open GROUP BY win").fetchall())
    pools: dict[str, list[tuple[str, str, str, int]]] = {"immediate": [], "promised": []}
    n_of = {
        (row["item"], kind): row[f"n_{kind}"]
        for row in rules.items.to_pylist()
        for kind in ("immediate", "promised")
    }
    for item in config.items:
        if totals.get(item.window):
            pools[item.kind].append((item.id, item.window, item.kind, n_of[(item.id, item.kind)]))
    if not pools["immediate"] and not pools["promised"]:
        raise ValueError(
            f"{config.hall.id}: no item's window is open on a working day from {first} to {last}"
        )
    # a category whose kind of item the hall lacks takes the other kind's items
    immediate_pool = "immediate" if pools["immediate"] else "promised"
    promised_pool = "promised" if pools["promised"] else "immediate"
    import pyarrow as pa

    item_rows = [(pool, k, *entry) for pool in pools for k, entry in enumerate(pools[pool])]
    db.register(
        "gen_items",
        pa.table(
            {
                "pool": pa.array([r[0] for r in item_rows], pa.string()),
                "k": pa.array([r[1] for r in item_rows], pa.int64()),
                "item": pa.array([r[2] for r in item_rows], pa.string()),
                "win": pa.array([r[3] for r in item_rows], pa.string()),
                "kind": pa.array([r[4] for r in item_rows], pa.string()),
                "n": pa.array([r[5] for r in item_rows], pa.int32()),
            }
        ),
    )
    staff: dict[str, list[str]] = {}
    for person in config.staff:
        staff.setdefault(person.window, []).append(person.id)
    staff_rows = [(w, k, s) for w, people in staff.items() for k, s in enumerate(people)]
    db.register(
        "gen_staff",
        pa.table(
            {
                "win": pa.array([r[0] for r in staff_rows], pa.string()),
                "k": pa.array([r[1] for r in staff_rows], pa.int64()),
                "staff": pa.array([r[2] for r in staff_rows], pa.string()),
            }
        ),
    )
    db.register(
        "gen_windows",
        pa.table(
            {
                "win": pa.array(list(totals), pa.string()),
                "days": pa.array([int(v) for v in totals.values()], pa.int64()),
                "people": pa.array([len(staff.get(w, ())) for w in totals], pa.int64()),
            }
        ),
    )
    sizes = {pool: len(entries) for pool, entries in pools.items()}
    t1 = _cut(mix.immediate)
    t2 = t1 + _cut(mix.promised)
    t3 = t2 + _cut(mix.open)
    v1 = _cut(mix.visits[0])
    v2 = v1 + _cut(mix.visits[1])
    receipt_minute, receipt_end = _minute_at("(gen_h(g.i, 15) % d.mins)", spans, "d")
    done_minute, _ = _minute_at("(gen_h(i, 12) % GREATEST(e.mins, 1))", spans, "e")
    db.execute(
        f"""
CREATE OR REPLACE TEMP VIEW gen_base AS
WITH drawn AS (
  SELECT i, CASE WHEN u < {t1} THEN 'immediate' WHEN u < {t2} THEN 'promised'
                 WHEN u < {t3} THEN 'open' ELSE 'refused' END AS cat
  FROM (SELECT i, {_u(1)} AS u FROM range({int(cases)}) t(i))
),
itemed AS (
  SELECT d.i, d.cat, it.item, it.win, it.kind, it.n
  FROM drawn d JOIN gen_items it
    ON it.pool = CASE WHEN d.cat = 'immediate' THEN {_q(immediate_pool)}
                      ELSE {_q(promised_pool)} END
   AND it.k = gen_h(d.i, 2) % CASE WHEN d.cat = 'immediate'
                                         THEN {sizes[immediate_pool]}
                                         ELSE {sizes[promised_pool]} END
),
placed AS (
  SELECT x.*, gen_h(x.i, 3) % w.days AS idx, w.people
  FROM itemed x JOIN gen_windows w ON w.win = x.win
)
SELECT g.i, g.cat, g.item, g.win, g.kind, g.n, g.people,
       d.day_no AS rday, d.closing AS rclosing,
       CAST({receipt_minute} AS INTEGER) AS rmin,
       CAST({receipt_end} AS INTEGER) AS rend,
       CASE WHEN {receipt_minute} < d.closing THEN d.from_before ELSE d.from_after END
         AS from_day
FROM placed g JOIN gen_open d ON d.win = g.win AND d.idx = g.idx
""",
    )
    db.execute(
        f"""
CREATE OR REPLACE TEMP VIEW gen_timed AS
WITH based AS (
  SELECT b.*, rc.wd AS rwd,
         CASE WHEN b.n > 0 THEN fc.wd ELSE fc.wd - fc.is_work END AS base,
         GREATEST(b.n, 1) AS m,
         b.cat = 'promised' AND {_u(4)} < {_cut(PAUSE_SHARE)} AS paused,
         b.rday + 1 AS pause_from,
         b.rday + 1 + CAST(gen_h(i, 5) % 5 AS INTEGER) AS pause_to,
         b.cat = 'promised' AND {_u(6)} < {_cut(mix.late)} AS late
  FROM gen_base b
  JOIN rule_calendar rc ON rc.day_no = b.rday
  JOIN rule_calendar fc ON fc.day_no = b.from_day
),
due AS (
  SELECT x.*, pc.wd AS pause_wd,
         x.base + x.m + CASE WHEN x.paused THEN GREATEST(0, pc.wd - x.base) ELSE 0 END AS due_wd
  FROM based x JOIN rule_calendar pc ON pc.day_no = x.pause_to
),
target AS (
  SELECT y.*,
         CASE
           WHEN y.cat = 'immediate' THEN y.rwd
           WHEN y.late THEN y.due_wd + 1 + CAST(gen_h(i, 7) % 5 AS INTEGER)
           ELSE lo + CAST(gen_h(i, 8) % GREATEST(y.due_wd - lo + 1, 1) AS INTEGER)
         END AS cwd
  FROM (SELECT *, CASE WHEN paused THEN GREATEST(rwd, pause_wd + 1) ELSE rwd END AS lo
        FROM due) y
)
SELECT t.i, t.cat, t.item, t.win, t.kind, t.people, t.rday, t.rmin, t.paused, t.pause_from,
       t.pause_to,
       CASE WHEN t.cat IN ('immediate', 'promised') THEN w.day_no END AS cday,
       CAST(CASE
         WHEN t.cat NOT IN ('immediate', 'promised') THEN NULL
         WHEN t.cat = 'immediate'
           THEN t.rmin + LEAST(t.rend - t.rmin, 5 + CAST(gen_h(i, 9) % 40 AS INTEGER))
         WHEN e.mins = 0 THEN GREATEST(LEAST(e.closing, 1439),
                                       CASE WHEN w.day_no = t.rday THEN t.rmin ELSE 0 END)
         ELSE GREATEST({done_minute}, CASE WHEN w.day_no = t.rday THEN t.rmin ELSE 0 END)
       END AS INTEGER) AS cmin
FROM target t
JOIN rule_workdays w ON w.wd = t.cwd
JOIN gen_days e ON e.win = t.win AND e.day_no = w.day_no
""",
    )
    hall = _q(config.hall.id)
    whole = int(mix.rated)  # every concluded case's ratings; one more for a share of them
    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_sorted AS
SELECT t.i, t.cat, t.item, t.win, t.kind, t.rday, t.rmin, t.cday, t.cmin, t.paused,
       t.pause_from, t.pause_to, s.staff,
       CASE WHEN t.cat IN ('immediate', 'promised')
            THEN {whole} + CAST({_u(19)} < {_cut(mix.rated - whole)} AS INTEGER)
            ELSE 0 END AS rated
FROM gen_timed t
LEFT JOIN gen_staff s ON s.win = t.win
  AND s.k = CASE WHEN t.people > 0 THEN gen_h(t.i, 14) % t.people END
ORDER BY t.rday, t.rmin, t.i
""",
    )
    # the rows are stored in receipt order: rowid + 1 numbers them so
    db.execute(
        f"""
CREATE OR REPLACE TEMP VIEW gen_cases AS
SELECT num,
       {hall} || '-' || year(received_at) || '-'
         || CASE WHEN num < 10000000 THEN lpad(CAST(num AS VARCHAR), 7, '0')
                 ELSE CAST(num AS VARCHAR) END AS case_id,
       "window", item, kind, received_at, status, concluded_at, visits, staff, pauses, rated
FROM (
  SELECT rowid + 1 AS num, win AS "window", item, kind,
         DATE '1970-01-01' + rday + to_minutes(rmin) AS received_at,
         CASE cat
           WHEN 'refused' THEN {_pick(REFUSED, 10)}
           WHEN 'open' THEN {_pick(OPEN, 10)}
           ELSE CASE WHEN {_u(11)} < {_cut(DELIVERED_SHARE)} THEN 'delivered' ELSE 'concluded' END
         END AS status,
         CASE WHEN cat IN ('immediate', 'promised')
              THEN DATE '1970-01-01' + cday + to_minutes(cmin) END AS concluded_at,
         CASE WHEN cat NOT IN ('immediate', 'promised') THEN 1
              WHEN {_u(13)} < {v1} THEN 1 WHEN {_u(13)} < {v2} THEN 2 ELSE 3 END AS visits,
         staff,
         CASE WHEN paused THEN strftime(DATE '1970-01-01' + pause_from, '%Y-%m-%d') || '/'
                || strftime(DATE '1970-01-01' + pause_to, '%Y-%m-%d') END AS pauses,
         rated
  FROM gen_sorted
)
"""
    )
    (made,) = db.execute("SELECT COUNT(*) FROM gen_sorted").fetchall()[0]
    if made != cases:  # a due day beyond the rule tables would drop a case
        raise AssertionError(f"generated {made} cases of {cases}")
    _ratings(db, mix)
    _rectifications(db)
    counts = [
        db.execute(f"SELECT COUNT(*) FROM {name}").fetchall()[0][0]
        for name in ("gen_ratings", "gen_rectifications")
    ]
    return Generated(int(made), int(counts[0]), int(counts[1]))


def _ratings(db: Any, mix: Mix) -> None:
    """Fill ``gen_ratings``: a case's first rating (``j = 0``), then its further ones."""
    cuts = []
    total = 0
    for value, share in zip((5, 4, 3, 2), mix.levels[:4], strict=True):
        total += _cut(share)
        cuts.append(f"WHEN u < {total} THEN {value}")
    level = "CASE " + " ".join(cuts) + " ELSE 1 END"
    channels = []
    total = 0
    for name, share in CHANNELS:
        total += _cut(share)
        channels.append(f"WHEN {_u(21, 'num')} < {total} THEN {_q(name)}")
    channel = "CASE " + " ".join(channels) + " ELSE 'hotline' END"
    # every channel with its share, for drawing a case's further channels
    weights = [*CHANNELS, ("hotline", 1 - sum(share for _, share in CHANNELS))]
    listed = ", ".join(f"({k}, {_q(name)}, {share!r})" for k, (name, share) in enumerate(weights))
    other = _pick(BAD_TAGS[1:], _per_rating(23), "num")
    good = _pick(GOOD_TAGS, _per_rating(24), "num")
    tag_u = _u(_per_rating(22), "num")
    # A case rated k times is rated on k channels: its first as drawn (stream 21), the
    # others drawn from the rest by their shares without replacement (the largest
    # ln(u) / share first), each one to sixty minutes after the first on the same day.
    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_ratings AS
WITH firsts AS (
  SELECT num, case_id, "window", staff, concluded_at AS rated_at, {channel} AS channel, rated,
         0 AS j
  FROM gen_cases WHERE rated > 0
),
further AS (
  SELECT f.num, f.case_id, f."window", f.staff, f.rated, c.name AS channel,
         CAST(row_number() OVER (
           PARTITION BY f.num
           ORDER BY ln((gen_h(f.num, 40 + c.k) % {SCALE} + 1) / {SCALE + 1}) / c.share DESC, c.k
         ) AS INTEGER) AS j,
         f.rated_at AS first_at
  FROM firsts f CROSS JOIN (VALUES {listed}) c(k, name, share)
  WHERE f.rated > 1 AND c.name <> f.channel
),
every AS (
  SELECT num, case_id, "window", staff, rated_at, channel, j FROM firsts
  UNION ALL
  SELECT num, case_id, "window", staff,
         LEAST(first_at + to_minutes(1 + CAST(gen_h(num, {_per_rating(25)}) % 60 AS INTEGER)),
               date_trunc('day', first_at) + INTERVAL 1439 MINUTE) AS rated_at,
         channel, j
  FROM further WHERE j < rated
)
SELECT case_id, "window", staff, level, rated_at, channel,
       CASE WHEN level <= 2 THEN
              CASE WHEN {tag_u} < 400000 THEN {_q(BAD_TAGS[0])} || ';' || {other}
                   ELSE {other} END
            WHEN {tag_u} < 100000 THEN {good}
       END AS tags,
       num, j
FROM (SELECT *, {level} AS level
      FROM (SELECT *, {_u(_per_rating(20), "num")} AS u FROM every))
ORDER BY num, j
""",
    )


def _rectifications(db: Any) -> None:
    """A work order's progress per bad rating: 75% in time, 15% late, 10% still open."""

    def due(days: str) -> str:
        # the working-day ordinal a limit of ``days`` falls due on, counted from the rating
        return f"(CASE WHEN {days} > 0 THEN wd + {days} ELSE wd - is_work + 1 END)"

    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_orders AS
SELECT r.case_id, r."window", r.channel, r.rated_at, r.num, r.j, f.wd, f.is_work,
       CASE WHEN u < 750000 THEN 'on_time' WHEN u < 900000 THEN 'late' ELSE 'open' END AS how,
       CASE WHEN v < 600000 THEN 'rectified' WHEN v < 900000 THEN 'explained'
            ELSE 'not_upheld' END AS outcome
FROM (SELECT *, {_u(_per_rating(30), "num")} AS u, {_u(_per_rating(31), "num")} AS v
      FROM gen_ratings WHERE level <= 2) r
JOIN gen_days d ON d.win = r."window"
  AND d.day_no = date_diff('day', DATE '1970-01-01', CAST(r.rated_at AS DATE))
JOIN rule_calendar f ON f.day_no = CASE WHEN hour(r.rated_at) * 60 + minute(r.rated_at)
                                          < d.closing THEN d.from_before ELSE d.from_after END
""",
    )
    v_days = f"CAST(gen_h(num, {_per_rating(32)}) % 2 AS INTEGER)"
    r_days = f"2 + CAST(gen_h(num, {_per_rating(33)}) % 11 AS INTEGER)"
    p_days = (
        f"CASE WHEN how = 'on_time' THEN 13 + CAST(gen_h(num, {_per_rating(34)}) % 3 AS INTEGER) "
        f"ELSE 16 + CAST(gen_h(num, {_per_rating(34)}) % 5 AS INTEGER) END"
    )
    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_stage AS
SELECT *, {due(v_days)} AS v_wd, {due(r_days)} AS r_wd, {due(p_days)} AS p_wd
FROM gen_orders
""",
    )
    s35, v36, r37 = _per_rating(35, "s.j"), _per_rating(36, "v.j"), _per_rating(37, "r.j")
    db.execute(
        f"""
CREATE OR REPLACE TEMP TABLE gen_rectifications AS
WITH v AS (
  SELECT s.*, GREATEST(DATE '1970-01-01' + w.day_no + to_minutes(e.closing - 5
           - CAST(gen_h(s.num, {s35}) % 116 AS INTEGER)), s.rated_at + INTERVAL 5 MINUTE)
           AS verified
  FROM gen_stage s JOIN rule_workdays w ON w.wd = s.v_wd
  JOIN gen_days e ON e.win = s."window" AND e.day_no = w.day_no
),
r AS (
  SELECT v.*, CASE WHEN v.how <> 'open' AND v.outcome = 'rectified' THEN
           GREATEST(DATE '1970-01-01' + w.day_no + to_minutes(e.closing - 5
             - CAST(gen_h(v.num, {v36}) % 116 AS INTEGER)), v.verified + INTERVAL 5 MINUTE)
         END AS rectified
  FROM v JOIN rule_workdays w ON w.wd = v.r_wd
  JOIN gen_days e ON e.win = v."window" AND e.day_no = w.day_no
),
p AS (
  SELECT r.*, CASE WHEN r.how <> 'open' THEN
           GREATEST(DATE '1970-01-01' + w.day_no + to_minutes(e.closing - 5
             - CAST(gen_h(r.num, {r37}) % 116 AS INTEGER)),
             COALESCE(r.rectified, r.verified) + INTERVAL 5 MINUTE)
         END AS replied
  FROM r JOIN rule_workdays w ON w.wd = r.p_wd
  JOIN gen_days e ON e.win = r."window" AND e.day_no = w.day_no
)
SELECT case_id, channel, rated_at, verified AS verified_at, rectified AS rectified_at,
       replied AS replied_at, CASE WHEN how <> 'open' THEN outcome END AS outcome, num, j
FROM p ORDER BY num, j
""",
    )
