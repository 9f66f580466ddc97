"""Records read from data files: cases, ratings, rectifications and inspection findings.

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
"""The five levels of 政务服务"好差评", 5 best, named as in GB/T 39734-2020 7.3."""
BAD_LEVEL = 2
"""The highest level that is a bad rating (差评: 不满意 and 非常不满意); it opens a work order."""

RATING_CHANNELS = {
    "pad": "窗口评价器",
    "online": "政务服务网",
    "app": "移动端",
    "sms": "短信",
    "kiosk": "一体机",
    "hotline": "热线",
}
"""Rating channels by id (the ``channel`` column), with their Chinese names.

The on-site and online channels of the national 好差评 system
(《国务院办公厅关于建立政务服务"好差评"制度提高政务服务水平的意见》,
国办发〔2019〕51号, and the provinces' measures): the window's rating pad, the
online portal, the mobile app, SMS, self-service kiosks and the hotline. A
data row may name a channel by id or by its Chinese name; any other channel
is counted as ``other``."""
OTHER_CHANNEL = "other"

RectificationOutcome = Literal["rectified", "not_upheld", "explained"]
RECTIFICATION_OUTCOMES: tuple[RectificationOutcome, ...] = get_args(RectificationOutcome)
"""How a bad-rating work order ends: rectified (整改), not upheld on verification
(不实差评), or explained (解释说明: the request has no legal basis)."""


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
    tags: tuple[str, ...] = ()
    """The rater's reasons (e.g. ``无理由超过法定办理时间``), as picked on the channel."""


@dataclass(frozen=True, slots=True)
class Rectification:
    """Progress of the work order (差评工单) of one bad rating.

    The rating is named by its key: case, channel and the moment it was given.
    Each stage time is ``None`` until the stage is done: 核实 (verified),
    整改 (rectified), 回访/反馈 (replied: the order is closed).
    """

    case_id: str
    channel: str
    rated_at: dt.datetime
    verified_at: dt.datetime | None
    rectified_at: dt.datetime | None
    replied_at: dt.datetime | None
    outcome: RectificationOutcome | None


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
