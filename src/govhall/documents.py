"""The JSON documents of the command-line contract, built from a session's answers.

``govhall CMD --json`` prints exactly these documents, and the
``govhall.testing`` YAML cases compare against them; both build them here, so
the command line and the test kit cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govhall.deployment import DeploymentKpis, DeploymentSession, HallRun
    from govhall.readers import ReadReport
    from govhall.session import HallSession
    from govhall.time.hours import Span


def clock_pairs(spans: Iterable[Span]) -> list[list[str]]:
    """Return spans of minutes as ``[["HH:MM", "HH:MM"], ...]``."""
    from govhall.time.hours import format_clock

    return [[format_clock(a), format_clock(b)] for a, b in spans]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def show_document(session: HallSession) -> dict[str, Any]:
    """Build the document of ``govhall show``: the hall as loaded, with its hours."""
    config = session.config
    # The hours as loaded: the county plugin's (or the built-in assumption), merged with [hours].
    hours = session.time.hours.config
    return {
        "hall": config.hall.model_dump(mode="json"),
        "windows": [window.model_dump(mode="json") for window in config.windows],
        "items": [item.model_dump(mode="json") for item in config.items],
        "staff": [person.model_dump(mode="json") for person in config.staff],
        "hours": hours.model_dump(mode="json", exclude_none=True),
    }


def hours_document(session: HallSession, day: dt.date, window: str | None = None) -> dict[str, Any]:
    """Build the document of ``govhall hours`` (all windows, or only ``window``)."""
    found = session.hours(day, window)
    return {
        "date": found.date.isoformat(),
        "windows": [
            {"window": window_id, "intervals": clock_pairs(spans), "rota": window_id in found.rota}
            for window_id, spans in found.windows.items()
        ],
        "day": {"kind": found.kind, "workday": found.workday, "name": found.name},
        "note": found.note,
        "warnings": list(found.warnings),
    }


def open_document(session: HallSession, moment: dt.datetime) -> dict[str, Any]:
    """Build the document of ``govhall open`` (a naive moment is the hall's local time)."""
    found = session.open_at(moment)
    return {
        "at": found.at.isoformat(),
        "open": list(found.open),
        "closed": [
            {"window": window_id, "next_open": _iso(upcoming)}
            for window_id, upcoming in found.closed.items()
        ],
        "warnings": list(found.warnings),
    }


def deadline_document(
    session: HallSession,
    item: str,
    received: dt.datetime,
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
    *,
    window: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build the document of ``govhall deadline``."""
    answer = session.deadline(item, received, pauses, window=window, now=now)
    return {
        "item": answer.item,
        "received": answer.received.isoformat(),
        "due": answer.due.isoformat(),
        "working_days": answer.working_days,
        "window": answer.window,
        "counted_from": answer.counted_from.isoformat(),
        "pauses": [[a.isoformat(), b.isoformat()] for a, b in answer.pauses],
        "now": _iso(answer.now),
        "status": answer.status,
        "elapsed_minutes": answer.elapsed_minutes,
        "remaining_minutes": answer.remaining_minutes,
        "explanation": list(answer.explanation),
        "warnings": list(answer.warnings),
    }


def chain_document(session: HallSession, item: str) -> dict[str, Any]:
    """Build the document of ``govhall chain``: the chain and its warnings."""
    from govhall.assessment.chains import check_chain

    found = session.chain(item)
    document = found.to_json()
    document["warnings"] = [
        problem.message for problem in check_chain(found, session.config.item(item))
    ]
    return document


def kpi_document(
    session: HallSession,
    data: Any,
    start: dt.date | None,
    end: dt.date | None,
    read: ReadReport,
    progress: Any = None,
    *,
    engine: str = "auto",
    master: str | None = None,
) -> dict[str, Any]:
    """Build the document of ``govhall kpi``, reading ``data`` into ``read``."""
    run = session.kpis(
        data, start=start, end=end, read=read, progress=progress, engine=engine, master=master
    )
    document = run.kpis.to_json()
    document["data"] = read.to_json()
    low, high = (start or dt.date.min).year, (end or dt.date.max).year
    warnings = session.calendar_warnings(y for y in run.years if low <= y <= high)
    if warnings:  # only then: the document stays equal to compute_kpis' for published years
        document["warnings"] = warnings
    return document


# -- deployments (many halls) ------------------------------------------------------


def _hall_head(province: DeploymentSession, run: HallRun, when: dt.date | None) -> dict[str, Any]:
    head: dict[str, Any] = {
        "hall": run.hall.id,
        "county": run.hall.county,
        "status": run.status,
    }
    if run.reason:
        head["reason"] = run.reason
    head["config"] = str(run.hall.entry.config)
    head["rules"] = province.rules(run.hall, when)
    return head


def _deployment_tail(province: DeploymentSession) -> dict[str, Any]:
    return {
        "failed": [hall.to_json() for hall in province.failed],
        "problems": [problem.to_json() for problem in province.problems],
    }


def deployment_show_document(province: DeploymentSession) -> dict[str, Any]:
    """Build ``govhall show DEPLOYMENT --json``: halls, counties, plugins, versions and pins."""
    halls = []
    for hall in province.halls:
        config = hall.session.config
        halls.append(
            {
                "hall": hall.id,
                "name": config.hall.name,
                "county": hall.county,
                "config": str(hall.entry.config),
                **province.rules(hall),
                "pin": province.pins.get(hall.county),
                "windows": len(config.windows),
                "items": len(config.items),
                "staff": len(config.staff),
            }
        )
    return {
        "deployment": province.name,
        "path": str(province.deployment.path),
        "halls": halls,
        **_deployment_tail(province),
    }


def deployment_kpi_document(province: DeploymentSession, run: DeploymentKpis) -> dict[str, Any]:
    """Build ``govhall kpi DEPLOYMENT --json``: each hall's KPIs and the totals from the counts."""
    halls = []
    for hall_run in run.halls:
        assert hall_run.kpis is not None
        halls.append(
            {
                **_hall_head(province, hall_run, None),
                **hall_run.kpis.to_json(),
                "data": hall_run.read.to_json(),
            }
        )
    return {
        "deployment": province.name,
        "halls": halls,
        "total": run.total.to_json(),
        **_deployment_tail(province),
    }


def deployment_score_document(
    province: DeploymentSession, month: Any, runs: list[HallRun]
) -> dict[str, Any]:
    """Build ``govhall score DEPLOYMENT --json``: each hall's month as ``govhall score`` has it."""
    halls = []
    for run in runs:
        scores: dict[str, Any] = {"windows": [], "staff": [], "rejected": []}
        if run.scores is not None and run.status == "ok":
            scores = run.scores.to_json()
            del scores["month"]
        halls.append(
            {
                **_hall_head(province, run, month.first_day),
                **scores,
                "data": run.read.counts(),
            }
        )
    return {
        "month": str(month),
        "deployment": province.name,
        "halls": halls,
        **_deployment_tail(province),
    }


def deployment_rewards_document(
    province: DeploymentSession, year: int, runs: list[HallRun]
) -> dict[str, Any]:
    """Build ``govhall rewards DEPLOYMENT --json``: each hall's year as in ``govhall rewards``."""
    halls = []
    for run in runs:
        result: dict[str, Any] = {"windows": [], "staff": []}
        if run.year is not None and run.status == "ok":
            result = run.year.to_json()
            del result["year"]
        halls.append(
            {
                **_hall_head(province, run, dt.date(year, 1, 1)),
                **result,
                "data": run.read.counts(),
            }
        )
    return {"year": year, "deployment": province.name, "halls": halls, **_deployment_tail(province)}
