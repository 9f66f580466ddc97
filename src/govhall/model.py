"""The hall domain model: hall, window, staff, service item.

These are the facts of a deployment, read from a hall config (TOML) and
from the county plugin's defaults. Every model forbids unknown keys, so a
misspelt key is an error rather than a silently ignored value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

PHONE_PATTERN = r"^(?:0\d{2,3}-)?[1-9]\d{6,7}$|^1[3-9]\d{9}$|^1\d{4}$"
"""A Chinese landline with or without area code (``0573-85061999``, ``3355000``),
a mobile number (``13800000000``) or a five-digit service number (``12345``)."""

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64),
]
Phone = Annotated[str, StringConstraints(pattern=PHONE_PATTERN)]


class _Fact(BaseModel):
    """Base of the config models: strict keys, frozen values."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)


class Hall(_Fact):
    """Identity of one administrative service centre (行政服务中心)."""

    id: Identifier = Field(description="Short stable id of the hall, e.g. `pinghu`.")
    name: str = Field(min_length=1, description="Official name, e.g. 平湖行政服务中心.")
    county: Identifier = Field(
        description="Id of the county plugin that supplies this hall's rules, e.g. `pinghu`."
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="IANA time zone of the hall's local time."
    )
    address: str | None = Field(default=None, description="Street address.")
    area_code: str | None = Field(
        default=None,
        pattern=r"^0\d{2,3}$",
        description="Telephone area code, e.g. `0573`; phones without one are local.",
    )
    phones: dict[str, Phone] = Field(
        default_factory=dict,
        description="Hall-wide phone numbers by purpose, e.g. `consultation`, `callback`.",
    )
    source: str | None = Field(
        default=None, description="Where these facts come from (source document and section)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA time zone {name!r}; expected e.g. 'Asia/Shanghai'"
            ) from None
        return name


class Window(_Fact):
    """A service window (窗口): one department's counter in the hall."""

    id: Identifier = Field(description="Unique id of the window within the hall.")
    name: str = Field(min_length=1, description="Name shown to citizens, e.g. 公安窗口.")
    department: str | None = Field(
        default=None, description="The department (委办局) that staffs the window."
    )
    phone: Phone | None = Field(default=None, description="Direct phone number; unset if unknown.")
    source: str | None = Field(
        default=None, description="Source document and section the window comes from."
    )


class Staff(_Fact):
    """A member of staff holding the A or B side of a window post (A/B岗)."""

    id: Identifier = Field(description="Unique id of the staff member within the hall.")
    name: str = Field(min_length=1, description="Name, or a placeholder such as 示例人员.")
    window: Identifier = Field(description="Id of the window this person works at.")
    post: Literal["A", "B"] = Field(
        default="A",
        description="`A` holds the post; `B` is the backup who covers when A is absent.",
    )
    position: str = Field(
        default="window",
        min_length=1,
        description="The post within the window (e.g. 受理岗); A and B of one post share it.",
    )


class ServiceItem(_Fact):
    """A service item (事项) handled at a window."""

    id: Identifier = Field(description="Unique id of the item within the hall.")
    name: str = Field(min_length=1, description="Name of the item, e.g. 建设工程规划许可证核发.")
    window: Identifier = Field(description="Id of the window that accepts the item.")
    kind: Literal["immediate", "promised"] = Field(
        description="`immediate` (即办件: concluded the same day) or `promised` "
        "(承诺件: concluded within `promised_days` working days)."
    )
    promised_days: int | None = Field(
        default=None,
        ge=0,
        le=366,
        validate_default=True,
        description="Committed time limit (承诺时限) in working days; required for promised items.",
    )
    statutory_days: int | None = Field(
        default=None,
        ge=0,
        le=366,
        description="Statutory time limit (法定时限) in working days, if known.",
    )
    fee: Decimal = Field(
        default=Decimal(0),
        ge=0,
        strict=False,  # TOML has no decimal type: accept an integer or a float
        description="Fee in yuan; 0 for items without a fee.",
    )

    @field_validator("fee", mode="before")
    @classmethod
    def _fee_is_a_number(cls, fee: object) -> object:
        # The field is lax so that TOML integers and floats pass; a string or boolean must not.
        if isinstance(fee, str | bool):
            raise PydanticCustomError("decimal_type", "Decimal input should be a number")
        return fee

    @field_validator("promised_days", mode="after")
    @classmethod
    def _promise_matches_kind(cls, days: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("kind")
        if kind == "promised" and days is None:
            raise ValueError("a promised item needs `promised_days` (working days)")
        if kind == "immediate" and days not in (None, 0):
            raise ValueError("an immediate item is concluded the same day: omit `promised_days`")
        return days
