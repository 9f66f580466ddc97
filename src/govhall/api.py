"""One-call helpers for scripts: open a session, ask one question, return the answer.

Each call opens a session (loads the installed plugins and the config) and
drops it, as ``httpx.get`` opens and closes a client. To ask more than one
question of a hall, open a session with :func:`govhall.open_hall` and keep it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from govhall.session import open_hall

if TYPE_CHECKING:
    from govhall.assessment.kpi import Kpis
    from govhall.assessment.rewards import YearResult
    from govhall.assessment.scoring import Month, MonthScores
    from govhall.config.schema import HallConfig
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager
    from govhall.records import Pause
    from govhall.time.deadlines import Deadline


def due_at(
    config: str | Path | HallConfig,
    item: str | ServiceItem,
    received: dt.datetime,
    pauses: Iterable[Pause | tuple[dt.date, dt.date]] = (),
    *,
    window: str | None = None,
    now: dt.datetime | None = None,
    manager: GovhallPluginManager | None = None,
) -> Deadline:
    """Return when a case of ``item`` received at ``received`` is due (one call).

    Args:
        config: A hall config file or a loaded config.
        item: The service item or its id.
        received: Receipt time; naive means hall-local time.
        pauses: Date spans (both ends included) when the clock stops.
        window: The window handling the case (default: the item's).
        now: Also compute elapsed and remaining business minutes and the status.
        manager: The plugin manager (default: the installed plugins).

    Example:
        >>> due_at("configs/pinghu.toml", "household-move", dt.datetime(2026, 9, 30, 10, 0)).due
        datetime.datetime(2026, 10, 13, 17, 30, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
    """
    session = open_hall(config, manager=manager)
    return session.deadline(item, received, pauses, window=window, now=now)


def kpis(
    config: str | Path | HallConfig,
    data: str | Path,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Kpis:
    """Return the KPIs of a hall's data folder (one call; see :meth:`HallSession.kpis`)."""
    return open_hall(config).kpis(data, start=start, end=end).kpis


def score(config: str | Path | HallConfig, data: str | Path, month: Month | str) -> MonthScores:
    """Return a month's window and staff scores (one call; see :meth:`HallSession.score`)."""
    return open_hall(config).score(data, month)


def rewards(config: str | Path | HallConfig, data: str | Path, year: int) -> YearResult:
    """Return a year's grades and rewards (one call; see :meth:`HallSession.rewards`)."""
    return open_hall(config).rewards(data, year)
