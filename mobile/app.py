"""HavenApp: the screens, the session, the language and the sign-out after inactivity.

app = HavenApp(server_url="http://127.0.0.1:8000")
asyncio.run(app.async_run(async_lib="asyncio"))
app.show("resident", resident=resident_id)      # from any screen
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivymd.app import MDApp
from kivymd.uix import button, selectioncontrol

from mobile import screens
from mobile.i18n import LANGUAGES, _, current_language, set_time_zone, switch_language
from mobile.remembered import RememberedReads
from mobile.widgets import nav, rows
from mobile.widgets.theme import refresh_text_fields, register_fonts

#: KivyMD loads a widget's rules when its module is first imported: these are imported before
#: widgets/base.kv is loaded, so that its 48 dp touch targets come last and win; nav and rows
#: register the app's own widgets with Kivy's Factory for the .kv files.
PRELOADED = (button, selectioncontrol, nav, rows)

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

#: Minutes without a touch before the app signs out by itself.
IDLE_MINUTES = 10.0

#: Seconds between attempts to send what waits in the queue.
DRAIN_EVERY = 5.0

#: Seconds a message stays in the band at the bottom.
BANNER_SECONDS = 6.0


class HavenApp(MDApp):
    server_url = StringProperty("http://127.0.0.1:8000")
    #: The signed-in person (operations.VIEWER's fields), {} when signed out.
    viewer = DictProperty()
    role = StringProperty("")
    #: The shelter the tablet works for (the first of the person's shelters).
    shelter_id = StringProperty("")
    shelter_name = StringProperty("")
    #: Actions waiting in the queue (pending) and refused on replay, for the badge.
    pending_count = NumericProperty(0)
    refused_count = NumericProperty(0)
    #: False after a request found no server; True again when one is answered.
    online = BooleanProperty(True)
    language = StringProperty("en")
    idle_minutes = NumericProperty(IDLE_MINUTES)
    #: The names on the navigation rail for the signed-in role.
    navigation = ListProperty()
    #: The current screen's name.
    current = StringProperty("")
    #: Messages shown to the person, newest last (tests read them).
    notices = ListProperty()
    #: The latest message, shown in a band at the bottom for a few seconds.
    banner = StringProperty("")

    def __init__(
        self,
        *,
        server_url: str | None = None,
        data_dir: Path | None = None,
        language: str | None = None,
        idle_minutes: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "Haven"
        self._server_option = server_url
        if server_url:
            self.server_url = server_url
        self._data_dir = Path(data_dir) if data_dir else None
        self._language_option = language
        self._idle_option = idle_minutes
        self.client: Any = None
        #: The client as screens read through it (answers kept for when offline).
        self.reads: Any = None
        self.outbox: Any = None
        self.actions: Any = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_touch = time.monotonic()
        self._screens: dict[str, Any] = {}

    # -- building --------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        folder = self._data_dir or Path(self.user_data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def build(self) -> Any:
        register_fonts(self.theme_cls)
        self.theme_cls.primary_palette = "Teal"
        self.theme_cls.theme_style = "Light"
        self.load_settings()
        Builder.load_file(str(HERE / "widgets" / "base.kv"))
        root = Builder.load_file(str(HERE / "app.kv"))
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        Clock.schedule_interval(self._check_idle, 1.0)
        Clock.schedule_interval(lambda _dt: self.drain_soon(), DRAIN_EVERY)
        return root

    def on_start(self) -> None:
        self.show("signin")

    # -- settings kept on the tablet (language, idle minutes, server address) --------------

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    def load_settings(self) -> None:
        saved: dict[str, Any] = {}
        if self.settings_file.exists():
            try:
                saved = json.loads(self.settings_file.read_text(encoding="utf-8"))
            except ValueError:
                saved = {}
        language = self._language_option or saved.get("language") or "en"
        self.set_language(language if language in LANGUAGES else "en", save=False)
        self.idle_minutes = float(self._idle_option or saved.get("idle_minutes") or IDLE_MINUTES)
        if saved.get("server_url") and not self._server_option:
            self.server_url = saved["server_url"]

    def save_settings(self) -> None:
        self.settings_file.write_text(
            json.dumps(
                {
                    "language": self.language,
                    "idle_minutes": self.idle_minutes,
                    "server_url": self.server_url,
                }
            ),
            encoding="utf-8",
        )

    def set_language(self, lang: str, *, save: bool = True) -> None:
        switch_language(lang)
        self.language = current_language()
        for made in self._screens.values():
            refresh_text_fields(made)
        if save:
            self.save_settings()

    def set_idle_minutes(self, minutes: float) -> None:
        self.idle_minutes = max(1.0, float(minutes))
        self.save_settings()

    # -- navigation --------------------------------------------------------------------------

    @property
    def manager(self) -> Any:
        return self.root.ids.manager

    def screen(self, name: str) -> Any | None:
        """The screen object (made on first use), or None if its module is not there yet."""
        if name not in self._screens:
            made = screens.load_screen(name)
            if made is None:
                return None
            self._screens[name] = made
            self.manager.add_widget(made)
        return self._screens[name]

    def show(self, name: str, **params: Any) -> Any | None:
        """Opens a screen with its params; one the role may not open, or not built, is refused."""
        if name != "signin" and not self.viewer:
            name, params = "signin", {}
        if not screens.allowed(self.role or None, name):
            self.notify(_("This screen is not available for your role."))
            return None
        target = self.screen(name)
        if target is None:
            self.notify(_("This screen is not available yet."))
            return None
        target.set_params(**params)
        if self.manager.current == name:
            target.on_enter()
        else:
            self.manager.current = name
        self.current = name
        return target

    # -- the session -----------------------------------------------------------------------

    async def sign_in(self, server_url: str, username: str, password: str) -> None:
        """Signs in (raises Unreachable / Refused), unlocks this person's queue, goes home."""
        from mobile.api.actions import Actions
        from mobile.api.client import HavenClient
        from mobile.api.errors import OutboxLocked
        from mobile.api.outbox import Outbox

        server_url = server_url.strip().rstrip("/")
        if self.client is not None:
            await self._close_client()
        client = HavenClient(server_url)
        try:
            viewer = await client.login(username.strip(), password)
        except BaseException:
            await _close(client)
            raise
        if self.outbox is None:
            self.outbox = Outbox(self.data_dir)
        try:
            self.outbox.unlock(username.strip(), password)
        except OutboxLocked:
            # The server took the password, so it was changed there: what was queued under the
            # old one stays here, unread, until that password is given again.
            self.outbox.unlock(username.strip(), password, new_key=True)
            self.notify(_("Actions saved under your old password wait until you sign in with it."))
        self.client = client
        self.reads = RememberedReads(client, on_offline=self._offline)
        self.actions = Actions(client, self.outbox)
        self.actions.on_change(self._queue_changed)
        self.server_url = server_url
        self.save_settings()
        self.viewer = viewer
        self.role = viewer.get("role") or ""
        shelters = viewer.get("shelters") or []
        self.shelter_id = shelters[0]["id"] if shelters else ""
        self.shelter_name = shelters[0].get("name", "") if shelters else ""
        # Times are shown in the shelter's zone (its days are counted in it), not the tablet's.
        set_time_zone(shelters[0].get("timeZone") if shelters else None)
        self.navigation = list(screens.NAVIGATION.get(self.role, ()))
        self.online = True
        self._last_touch = time.monotonic()
        self._queue_changed()
        home = screens.HOME.get(self.role)
        if home is None:
            await self.sign_out(message=_("This app is for shelter staff and care workers."))
            return
        self.show(home)
        self.drain_soon()

    async def sign_out(self, *, message: str | None = None) -> None:
        """Ends the session: the token is forgotten, every screen with its data is dropped."""
        client, self.client, self.actions = self.client, None, None
        if self.reads is not None:
            self.reads.forget()
            self.reads = None
        if self.outbox is not None:
            self.outbox.lock()
        if client is not None:
            try:
                await client.logout()
            except Exception:  # offline or already ended: the token is dropped either way
                log.info("logout not confirmed by the server")
            await _close(client)
        self.viewer = {}
        self.role = ""
        self.shelter_id = ""
        self.shelter_name = ""
        set_time_zone(None)
        self.navigation = []
        for name, old in list(self._screens.items()):
            if name != "signin":
                self.manager.remove_widget(old)
                del self._screens[name]
        self.show("signin")
        if message:
            self.notify(message)

    def sign_out_now(self, message: str | None = None) -> None:
        self.track(asyncio.get_event_loop().create_task(self.sign_out(message=message)))

    def session_ended(self) -> None:
        """The server no longer knows the token: back to sign-in, the queue kept."""
        if self.viewer:
            self.sign_out_now(_("Your session has ended. Please sign in again."))

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await _close(client)

    def _offline(self, offline: bool) -> None:
        self.online = not offline

    # -- inactivity ------------------------------------------------------------------------

    def _touched(self, *_args: Any) -> None:
        self._last_touch = time.monotonic()

    def idle_seconds(self) -> float:
        return time.monotonic() - self._last_touch

    def _check_idle(self, _dt: float) -> None:
        if self.viewer and self.idle_seconds() >= self.idle_minutes * 60:
            self.sign_out_now(_("Signed out after a period without use."))

    # -- the queue -------------------------------------------------------------------------

    def _queue_changed(self, *_args: Any) -> None:
        if self.outbox is None:
            return
        # Signed out, the queue is locked: pending_count() is 0 then (pending() would raise).
        self.pending_count = self.outbox.pending_count()
        self.refused_count = len(self.outbox.refused()) if self.outbox.account else 0

    def drain_soon(self) -> None:
        """Sends what waits in the queue, in order, if signed in and nothing is sending."""
        if self.actions is None or getattr(self, "_draining", False):
            return
        self._draining = True
        self.track(asyncio.get_event_loop().create_task(self._drain()))

    async def _drain(self) -> None:
        from mobile.api.errors import SessionEnded, Unreachable

        try:
            if self.actions is not None and self.actions.pending_count:
                await self.actions.drain()
                self.online = self.actions.pending_count == 0
        except Unreachable:
            self.online = False
        except SessionEnded:
            self.session_ended()
        except Exception:
            log.exception("sending the queue failed")
        finally:
            self._draining = False
            self._queue_changed()

    # -- small services for screens --------------------------------------------------------

    def track(self, task: asyncio.Task[Any]) -> None:
        """Keeps a reference to a running task until it ends (asyncio keeps only weak ones)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def notify(self, text: str) -> None:
        if not text:
            return
        self.notices.append(text)
        log.info("notice: %s", text)
        self.banner = text
        Clock.unschedule(self._clear_banner)
        Clock.schedule_once(self._clear_banner, BANNER_SECONDS)

    def _clear_banner(self, _dt: float) -> None:
        self.banner = ""

    def on_stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def _close(client: Any) -> None:
    closing = getattr(client, "aclose", None)
    if closing is not None:
        try:
            await closing()
        except Exception:
            log.info("closing the client failed", exc_info=True)
