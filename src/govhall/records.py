"""Records read from data files: cases, ratings and inspection findings.

These are plain frozen dataclasses, not pydantic models: a data run reads
millions of rows and the readers (:mod:`govhall.readers`) parse and check
each field themselves, reporting bad rows by file, line and column.
Times are timezone-aware, in the hall's local time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

CaseKind = Literal["immediate", "promised"]
CaseStatus = Literal[
    "received",
    "not_accepted",
    "correction",
    "returned",
    "accepted",
    "in_review",
    "concluded",
    "delivered",
    "withdrawn",
]

CASE_STATUSES: tuple[CaseStatus, ...] = get_args(CaseStatus)
"""Every status, in life-cycle order."""
ACCEPTED_STATUSES: frozenset[str] = frozenset(
    {"accepted", "in_review", "concluded", "delivered", "withdrawn"}
)
"""Statuses that count as accepted: not refused at intake."""
CONCLUDED_STATUSES: frozenset[str] = frozenset({"concluded", "delivered"})
"""Statuses that count as concluded."""

RATING_LEVELS = {
    5: "非常满意",
    4: "满意",
    3: "基本满意",
    2: "不满意",
    1: "非常不满意",
}
"""The five levels of 政务服务"好差评", 5 best."""


@dataclass(frozen=True, slots=True)
class Pause:
    """A span of dates (both included) when a case's clock stops (补正, 特别程序)."""

    start: dt.date
    end: dt.date


@dataclass(slots=True, unsafe_hash=True)
class Case:
    """One case (办件) as exported by a case-tracking system.

    Treat it as read-only. It is not ``frozen`` because the readers build
    one per row of files with millions of rows, and a frozen dataclass's
    ``__init__`` costs about five times as much (``object.__setattr__`` per
    field); it stays hashable and comparable by value.
    """

    case_id: str
    window: str
    item: str
    kind: CaseKind
    received_at: dt.datetime
    status: CaseStatus
    concluded_at: dt.datetime | None
    visits: int
    staff: str | None = None
    pauses: tuple[Pause, ...] = ()

    @property
    def accepted(self) -> bool:
        """True unless the case was refused or never got past intake."""
        return self.status in ACCEPTED_STATUSES

    @property
    def concluded(self) -> bool:
        """True when the case was concluded (approved or denied) or delivered."""
        return self.status in CONCLUDED_STATUSES


@dataclass(frozen=True, slots=True)
class Rating:
    """One anonymous citizen rating (好差评): no applicant identity is kept."""

    case_id: str
    window: str
    staff: str | None
    level: int
    rated_at: dt.datetime
    channel: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One inspection record (督查记录): a rule broken (or earned) ``count`` times."""

    date: dt.date
    window: str
    staff: str | None
    rule: str
    count: int = 1
    points: Decimal | None = None
    """Only where the rule allows a range (酌情扣3-5分): the points the inspector chose."""
