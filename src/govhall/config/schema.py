"""The hall config: the whole TOML document, as one strict model."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from govhall.model import Hall, ServiceItem, Staff, Window
from govhall.time_config import CalendarConfig, DeadlinesConfig, HoursConfig

_Entry = TypeVar("_Entry", Window, ServiceItem, Staff)


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
