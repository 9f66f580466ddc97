"""The built-in defaults, registered as the plugin ``govhall.builtin``.

Every county plugin sits on top of these; a county overrides a default by
implementing the same hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govhall.hookspecs import hookimpl

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.problems import Problem


@hookimpl(trylast=True)
def govhall_validate_config(config: HallConfig) -> list[Problem]:
    """Check unique ids, references to windows, promised vs statutory limits and A/B posts."""
    from govhall.config.checks import check_hall

    return check_hall(config)
