"""The base class of every screen, and the small pieces screens share.

class CheckOutScreen(HavenScreen):
    async def refresh(self) -> None:                  # called on entering the screen
        data = await self.client.query(operations.RESIDENT, {"id": self.params["resident"]})
    def confirm(self) -> None:                        # a button's on_release
        self.run(self.check_out())
    async def check_out(self) -> None:
        result = await self.act("checkOut", operations.CHECK_OUT, {...}, summary="HV-… ✕")
        if result.done: self.app.show("resident", resident=...)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from kivy.properties import BooleanProperty, DictProperty, StringProperty
from kivymd.app import MDApp
from kivymd.uix.screen import MDScreen

from mobile.i18n import _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of an action, for the screen to move on: done (sent and accepted), queued
    (kept on the tablet, will be sent), refused (the server's messages), payload when sent."""

    done: bool
    queued: bool
    refused: bool
    payload: dict[str, Any] | None
    messages: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        """Sent or queued: the person's action is not lost and the screen may move on."""
        return self.done or self.queued


class HavenScreen(MDScreen):
    """One screen of the app. `app`, `api` (Actions), `client` (HavenClient), `params` (what
    app.show passed), `refresh()` on entering, `run(coro)` for anything that talks to the server."""

    #: What app.show(name, **params) passed, e.g. {"resident": "UmVzaWRlbnQ6MQ=="}.
    params = DictProperty()
    #: True while a request of this screen is out (buttons bind `disabled: root.busy`).
    busy = BooleanProperty(False)
    #: One line under the screen's title: "Saved on this tablet …", a refusal, an error.
    status = StringProperty("")

    @property
    def app(self) -> Any:
        return MDApp.get_running_app()

    @property
    def api(self) -> Any:
        return self.app.actions

    @property
    def client(self) -> Any:
        """The client to read with: answers are remembered, and given again while offline."""
        return self.app.reads

    def set_params(self, **params: Any) -> None:
        """Replaces the params; a key naming a Kivy property of the screen sets it too."""
        self.params = params
        for key, value in params.items():
            if self.property(key, quiet=True) is not None:
                setattr(self, key, value)

    async def refresh(self) -> None:
        """Loads what the screen shows; screens override it."""

    def on_enter(self, *args: Any) -> None:
        self.status = ""
        self.run(self.refresh())

    def run(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Schedules a coroutine on the app's asyncio loop; failures are shown, not raised."""
        task = asyncio.get_event_loop().create_task(self._guarded(coro))
        self.app.track(task)
        return task

    async def _guarded(self, coro: Coroutine[Any, Any, Any]) -> Any:
        from mobile.api.errors import Refused, SessionEnded, Unreachable

        self.busy = True
        try:
            return await coro
        except Unreachable:
            self.app.online = False
            self.say(_("The server cannot be reached, and this screen has nothing loaded yet."))
        except SessionEnded:
            self.app.session_ended()
        except Refused as refused:
            self.say(" ".join(error.message for error in refused.errors) or _("Refused."))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", self.name)
            self.say(_("Something went wrong. Please try again."))
        finally:
            self.busy = False
        return None

    async def act(
        self,
        operation: str,
        document: str,
        variables: dict[str, Any],
        *,
        summary: str,
        done: str | None = None,
        redo: int | None = None,
    ) -> Outcome:
        """Sends a change through the offline queue and tells the person what became of it;
        `redo` names a refused action this one replaces (kept, marked redone)."""
        from mobile.api.actions import Queued, RefusedResult, Sent

        if redo:
            result = await self.api.redo(redo, variables)
        else:
            result = await self.api.run(operation, document, variables, summary=summary)
        if isinstance(result, Sent):
            self.say(done or _("Done."))
            return Outcome(True, False, False, result.payload)
        if isinstance(result, Queued):
            self.say(_("Saved on this tablet. It will be sent when the server answers."))
            return Outcome(False, True, False, None)
        assert isinstance(result, RefusedResult)
        messages = tuple(error.message for error in result.errors)
        self.say(" ".join(messages) or _("Refused."))
        return Outcome(False, False, True, None, messages)

    def say(self, text: str) -> None:
        """Shows a short message on this screen and as a snackbar."""
        self.status = text
        self.app.notify(text)
