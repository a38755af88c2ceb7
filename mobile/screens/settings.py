"""Settings: the app's language (at once, without signing out), the minutes without a touch
before the app signs out, and who is signed in to which server."""

from __future__ import annotations

from typing import Any

from mobile.i18n import LANGUAGE_NAMES, LANGUAGES, _
from mobile.widgets.base import HavenScreen

#: Minutes without use before signing out, as offered.
IDLE_CHOICES = (5, 10, 15, 30)


class SettingsScreen(HavenScreen):
    async def refresh(self) -> None:
        self.ids.language.options = [(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES]
        self.ids.language.value = self.app.language
        self.show_idle()

    def show_idle(self, *_args: Any) -> None:
        self.ids.idle.options = [
            (str(minutes), _("{minutes} min").format(minutes=minutes)) for minutes in IDLE_CHOICES
        ]
        self.ids.idle.value = str(int(self.app.idle_minutes))

    def language_chosen(self, lang: str) -> None:
        if lang and lang != self.app.language:
            self.app.set_language(lang)
            self.show_idle()

    def idle_chosen(self, minutes: str) -> None:
        if minutes and float(minutes) != self.app.idle_minutes:
            self.app.set_idle_minutes(float(minutes))

    def signed_in_as(self, viewer: dict[str, Any], server: str, _lang: str = "") -> str:
        if not viewer:
            return ""
        return _("Signed in as {name} ({username}) to {server}").format(
            name=viewer.get("fullName", ""), username=viewer.get("username", ""), server=server
        )
