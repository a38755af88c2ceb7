"""Every screen of the app by name, loaded when first shown, and which roles see which.

screen = load_screen("check_in")        # imports mobile.screens.check_in, loads check_in.kv
names = registered()                    # the names whose module exists
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from kivy.lang import Builder

from mobile.i18n import N_

#: (name, "module:Class"), one per screen; the .kv beside the module is loaded with it.
SCREENS: list[tuple[str, str]] = [
    # staff: front desk (helper UI)
    ("signin", "mobile.screens.signin:SigninScreen"),
    ("dashboard", "mobile.screens.dashboard:DashboardScreen"),
    ("find_resident", "mobile.screens.find_resident:FindResidentScreen"),
    ("register", "mobile.screens.register:RegisterScreen"),
    ("check_in", "mobile.screens.check_in:CheckInScreen"),
    ("check_out", "mobile.screens.check_out:CheckOutScreen"),
    ("transfer", "mobile.screens.transfer:TransferScreen"),
    ("resident", "mobile.screens.resident:ResidentScreen"),
    ("pending", "mobile.screens.pending:PendingScreen"),
    ("settings", "mobile.screens.settings:SettingsScreen"),
    # care and stock
    ("handout", "mobile.screens.handout:HandoutScreen"),
    ("service_log", "mobile.screens.service_log:ServiceLogScreen"),
    ("appointment_new", "mobile.screens.appointment_new:AppointmentNewScreen"),
    ("session_new", "mobile.screens.session_new:SessionNewScreen"),
    ("appointments", "mobile.screens.appointments:AppointmentsScreen"),
    ("visit", "mobile.screens.visit:VisitScreen"),
    ("sessions", "mobile.screens.sessions:SessionsScreen"),
    ("session_record", "mobile.screens.session_record:SessionRecordScreen"),
    ("stock", "mobile.screens.stock:StockScreen"),
    ("stock_receive", "mobile.screens.stock_receive:StockReceiveScreen"),
    ("stock_count", "mobile.screens.stock_count:StockCountScreen"),
]

#: Each screen's title, shown in the top bar (translated where shown).
TITLES: dict[str, str] = {
    "signin": N_("Sign in"),
    "dashboard": N_("Shelter today"),
    "find_resident": N_("Find a resident"),
    "register": N_("Register a resident"),
    "check_in": N_("Check in"),
    "check_out": N_("Check out"),
    "transfer": N_("Move to another bed"),
    "resident": N_("Resident"),
    "pending": N_("Waiting to send"),
    "settings": N_("Settings"),
    "handout": N_("Hand out"),
    "service_log": N_("Log a service"),
    "appointment_new": N_("New appointment"),
    "session_new": N_("New session"),
    "appointments": N_("Appointments today"),
    "visit": N_("Record a visit"),
    "sessions": N_("Sessions"),
    "session_record": N_("Record a session"),
    "stock": N_("Stock"),
    "stock_receive": N_("Receive a delivery"),
    "stock_count": N_("Count stock"),
}

#: The rail's short label and icon for each screen it can show.
RAIL: dict[str, tuple[str, str]] = {
    "dashboard": (N_("Today"), "view-dashboard"),
    "find_resident": (N_("Residents"), "account-search"),
    "stock": (N_("Stock"), "package-variant"),
    "pending": (N_("Queue"), "cloud-upload"),
    "appointments": (N_("Appointments"), "stethoscope"),
    "sessions": (N_("Sessions"), "account-voice"),
    "settings": (N_("Settings"), "cog"),
}

#: The navigation rail of each role, in order (settings and sign-out are always there).
NAVIGATION: dict[str, tuple[str, ...]] = {
    "SHELTER_STAFF": ("dashboard", "find_resident", "stock", "pending"),
    "MEDICAL": ("appointments", "pending"),
    "COUNSELLOR": ("sessions", "find_resident", "pending"),
    "LEGAL": ("sessions", "find_resident", "pending"),
}

#: Every screen a role may open (from its rail or from another screen); others are refused.
ALLOWED: dict[str, frozenset[str]] = {
    "SHELTER_STAFF": frozenset(
        {
            "dashboard",
            "find_resident",
            "register",
            "check_in",
            "check_out",
            "transfer",
            "resident",
            "handout",
            "service_log",
            "appointment_new",
            "session_new",
            "stock",
            "stock_receive",
            "stock_count",
            "pending",
            "settings",
        }
    ),
    "MEDICAL": frozenset({"appointments", "visit", "resident", "pending", "settings"}),
    "COUNSELLOR": frozenset(
        {
            "sessions",
            "session_record",
            "session_new",
            "find_resident",
            "resident",
            "pending",
            "settings",
        }
    ),
    "LEGAL": frozenset(
        {
            "sessions",
            "session_record",
            "session_new",
            "find_resident",
            "resident",
            "service_log",
            "pending",
            "settings",
        }
    ),
}

#: Where each role lands after signing in.
HOME: dict[str, str] = {
    "SHELTER_STAFF": "dashboard",
    "MEDICAL": "appointments",
    "COUNSELLOR": "sessions",
    "LEGAL": "sessions",
}

_loaded_kv: set[str] = set()


def target(name: str) -> str:
    for screen_name, where in SCREENS:
        if screen_name == name:
            return where
    raise KeyError(f"no screen named {name!r}")


def exists(name: str) -> bool:
    """True when the screen's module is there (helpers add theirs over time)."""
    module = target(name).split(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def registered() -> list[str]:
    """Names of the screens whose module exists, in SCREENS order."""
    return [name for name, _where in SCREENS if exists(name)]


def allowed(role: str | None, name: str) -> bool:
    if name == "signin":
        return True
    return role is not None and name in ALLOWED.get(role, frozenset())


def load_screen(name: str) -> Any | None:
    """A new instance of the named screen, its .kv loaded once; None when not there yet."""
    if not exists(name):
        return None
    module_name, class_name = target(name).split(":")
    module = importlib.import_module(module_name)
    kv = Path(module.__file__ or "").with_suffix(".kv")
    if kv.exists() and str(kv) not in _loaded_kv:
        Builder.load_file(str(kv))
        _loaded_kv.add(str(kv))
    return getattr(module, class_name)(name=name)
