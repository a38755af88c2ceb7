"""The navigation rail: the role's screens, settings and sign-out, with the queue's badge."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivymd.app import MDApp
from kivymd.uix.boxlayout import MDBoxLayout

from mobile import screens


class NavItem(ButtonBehavior, MDBoxLayout):
    """One entry of the rail: an icon over a short label; `screen` empty means sign out."""

    screen = StringProperty("")
    icon = StringProperty("")
    label = StringProperty("")
    badge = NumericProperty(0)
    selected = BooleanProperty(False)

    def on_release(self) -> None:
        app = MDApp.get_running_app()
        if self.screen:
            app.show(self.screen)
        else:
            app.sign_out_now()


class NavRail(MDBoxLayout):
    """Rebuilds its items when the role's navigation changes."""

    def on_kv_post(self, base_widget: Any) -> None:
        app = MDApp.get_running_app()
        app.bind(navigation=self.rebuild, current=self.mark, pending_count=self.mark)
        app.bind(refused_count=self.mark)
        self.rebuild()

    def rebuild(self, *_args: Any) -> None:
        app = MDApp.get_running_app()
        items = self.ids.entries
        items.clear_widgets()
        names = list(app.navigation)
        if names:
            names.append("settings")
        for name in names:
            label, icon = screens.RAIL[name]
            items.add_widget(NavItem(screen=name, icon=icon, label=label))
        self.mark()

    def mark(self, *_args: Any) -> None:
        app = MDApp.get_running_app()
        for item in self.ids.entries.children:
            item.selected = item.screen == app.current
            if item.screen == "pending":
                item.badge = app.pending_count + app.refused_count
