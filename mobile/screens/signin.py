"""Sign-in: the server's address, the username and the password (kept in memory only)."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from mobile.i18n import _
from mobile.widgets.base import HavenScreen


class SigninScreen(HavenScreen):
    server_url = StringProperty("")

    def on_pre_enter(self, *args: Any) -> None:
        self.server_url = self.app.server_url
        self.ids.password.text = ""

    async def refresh(self) -> None:
        """Nothing to load before signing in."""

    def submit(self) -> None:
        server = self.ids.server.text.strip()
        username = self.ids.username.text.strip()
        password = self.ids.password.text
        if not server or not username or not password:
            self.say(_("Enter the server address, your username and your password."))
            return
        self.run(self.sign_in(server, username, password))

    async def sign_in(self, server: str, username: str, password: str) -> None:
        from mobile.api.errors import Refused, Unreachable

        try:
            await self.app.sign_in(server, username, password)
        except Unreachable:
            self.say(_("The server cannot be reached. Check the address and the network."))
        except Refused:
            self.say(_("The username or password is not right."))
        finally:
            self.ids.password.text = ""
