"""What a county plugin declares about itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class County:
    """A county (or district) served by one plugin.

    Attributes:
        id: Short id used in configs (``hall.county``) and on the command line.
        name: Name of the county's service centre or office, in Chinese.
        province: Province, for people reading ``govhall plugins``.
        seed: The source document the plugin's facts come from.
    """

    id: str
    name: str
    province: str = ""
    seed: str = ""
