"""What every screen of Anjuan can ask of its app, typed (the app is an ``AnjuanApp``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from ..app import AnjuanApp

ResultType = TypeVar("ResultType")


class AnjuanScreen(Screen[ResultType]):
    """A screen of this app: ``self.anjuan`` is the app with its cases folder, person and day."""

    @property
    def anjuan(self) -> AnjuanApp:
        return cast("AnjuanApp", self.app)
