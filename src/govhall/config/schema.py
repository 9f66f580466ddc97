"""The hall config: the whole TOML document, as one strict model."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from govhall.config.chains import ChainConfig
from govhall.model import Hall, ServiceItem, Staff, Window
from govhall.time_config import CalendarConfig, DeadlinesConfig, HoursConfig

_Entry = TypeVar("_Entry", Window, ServiceItem, Staff)


class DatedPoints(BaseModel):
    """A rule parameter's value from a date on (`{ since = 2011-01-01, value = 3 }`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    since: dt.date = Field(description="First day the value is in force.")
    value: int | float = Field(description="The number (points are magnitudes).")
    source: str | None = Field(default=None, description="Where the value comes from.")


class ScoringConfig(BaseModel):
    """Monthly assessment settings (`[scoring]`); see docs/scoring.md."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    parameters: dict[str, int | float | list[DatedPoints]] = Field(
        default_factory=dict,
        description="Rulebook parameter overrides by name, e.g. "
        '`"window.results.completion.points" = 1`; a list of dated values adds history.',
    )
    weights: dict[Literal["window_head", "managers", "inspection", "citizens"], float] | None = (
        Field(
            default=None,
            description="Composite weights of a window's score sources (Zhenhai); "
            "unset: the county plugin's, or the rulebook score alone.",
        )
    )


class GradeThresholds(BaseModel):
    """Least annual staff score for each grade (优秀, 称职, 基本称职); below: 不称职."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    excellent: int | float = Field(description="Least score for 优秀 (excellent).")
    competent: int | float = Field(description="Least score for 称职 (competent).")
    basically_competent: int | float = Field(
        description="Least score for 基本称职 (basically competent)."
    )


class RewardsConfig(BaseModel):
    """Annual grades and rewards (`[rewards]`); unset keys come from the county plugin."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    demonstration_windows: int | None = Field(
        default=None, ge=0, description="How many demonstration windows (示范窗口; seed: 3-5)."
    )
    grade_thresholds: GradeThresholds | None = Field(
        default=None, description="Staff grade thresholds on the annual score."
    )
    excellent_quota: float | None = Field(
        default=None, gt=0, le=1, description="Most staff graded excellent, as a share (0-1]."
    )
    allowance_per_month: int | float | None = Field(
        default=None, ge=0, description="Post allowance in yuan per staff member per month."
    )
    on_post: Literal["data", "config"] | None = Field(
        default=None,
        description="`data`: a month counts as on post when the person received a case "
        "or a finding names them; "
        "`config`: every listed staff member is on post every month with data.",
    )
    service_model_award: int | float | None = Field(
        default=None, ge=0, description="Annual service-model (服务标兵) award in yuan."
    )
    service_model_winners: int | None = Field(
        default=None, ge=0, description="How many staff win the service-model award."
    )


class RatingsConfig(BaseModel):
    """好差评 work-order rules (`[ratings]`); unset keys come from the county plugin."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    verify_days: int | None = Field(
        default=None, ge=0, description="Working days to verify a bad rating (核实)."
    )
    rectify_days: int | None = Field(
        default=None, ge=0, description="Working days to rectify (整改), counted from the rating."
    )
    reply_days: int | None = Field(
        default=None,
        ge=0,
        description="Working days to answer the rater (回访/反馈), counted from the rating; "
        "the work order is due then.",
    )
    time_limit_tags: list[str] | None = Field(
        default=None,
        description="Rating tags that complain about the time a case took "
        "(checked against the case's own deadline).",
    )
    repeated: Literal["latest", "all"] | None = Field(
        default=None,
        description="Several ratings of one case from one channel: `latest` counts the "
        "latest (the earlier are reported as replaced), `all` counts each (each repeat reported). "
        "The rule holds for the bulletin and for kpi, score, rewards and report alike.",
    )


class HallConfig(BaseModel):
    """A hall deployment config: identity, windows, service items and staff."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    hall: Hall = Field(description="Identity of the hall and the county plugin it uses.")
    windows: list[Window] = Field(
        default_factory=list, description="The service windows (`[[windows]]`)."
    )
    items: list[ServiceItem] = Field(
        default_factory=list, description="The service items handled (`[[items]]`)."
    )
    staff: list[Staff] = Field(
        default_factory=list, description="Window staff and their A/B posts (`[[staff]]`)."
    )
    calendar: CalendarConfig = Field(
        default_factory=CalendarConfig, description="Working-calendar overrides (`[calendar]`)."
    )
    hours: HoursConfig = Field(
        default_factory=HoursConfig, description="Opening-hour overrides (`[hours]`)."
    )
    deadlines: DeadlinesConfig = Field(
        default_factory=DeadlinesConfig, description="Deadline-rule overrides (`[deadlines]`)."
    )
    scoring: ScoringConfig = Field(
        default_factory=ScoringConfig, description="Monthly assessment settings (`[scoring]`)."
    )
    rewards: RewardsConfig = Field(
        default_factory=RewardsConfig, description="Annual grades and rewards (`[rewards]`)."
    )
    ratings: RatingsConfig = Field(
        default_factory=RatingsConfig, description="好差评 work-order rules (`[ratings]`)."
    )
    chains: list[ChainConfig] = Field(
        default_factory=list,
        description="Approval chains (`[[chains]]`); they win over the county plugin's.",
    )

    def window(self, window_id: str) -> Window:
        """Return the window with this id.

        Raises:
            LookupFailed: No such window.
        """
        return _find(self.windows, window_id, "window")

    def item(self, item_id: str) -> ServiceItem:
        """Return the service item with this id.

        Raises:
            LookupFailed: No such item.
        """
        return _find(self.items, item_id, "item")


def _find(entries: list[_Entry], wanted: str, what: str) -> _Entry:
    from govhall.errors import LookupFailed

    for entry in entries:
        if entry.id == wanted:
            return entry
    known = ", ".join(entry.id for entry in entries) or "none"
    raise LookupFailed(f"no {what} with id {wanted!r} (known: {known})")


def config_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a hall config (what ``govhall schema`` prints)."""
    schema = HallConfig.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "govhall hall config"
    return schema


def to_toml_data(config: HallConfig) -> dict[str, Any]:
    """Return the config as a TOML-ready mapping: no ``None``, no defaults, numbers as numbers."""
    data = config.model_dump(mode="python", exclude_defaults=True, exclude_none=True)
    result: dict[str, Any] = _tomlable(data)
    return result


def _tomlable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, dict):
        return {key: _tomlable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tomlable(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
