"""A resident's page: who they are (what the server lets this role read), their stays and beds,
the services timeline, and quick actions that open the care screens for them."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import DictProperty, StringProperty
from kivymd.uix.button import MDButtonIcon, MDButtonText

from mobile import screens
from mobile.api import operations
from mobile.i18n import N_, _, format_date, format_datetime, on_language
from mobile.i18n.catalogue import parse_day, parse_moment
from mobile.screens.check_out import EXIT_DESTINATIONS
from mobile.screens.dashboard import person_line
from mobile.screens.register import DOCUMENT_STATUSES, NATIONALITIES, REFERRAL_SOURCES, SEXES
from mobile.widgets.base import HavenScreen
from mobile.widgets.rows import InfoRow

AGE_BANDS = [
    ("UNDER_12", N_("Under 12")),
    ("AGE_12_17", N_("12 to 17")),
    ("AGE_18_24", N_("18 to 24")),
    ("AGE_25_34", N_("25 to 34")),
    ("AGE_35_49", N_("35 to 49")),
    ("AGE_50_PLUS", N_("50 or older")),
    ("UNKNOWN", N_("Age unknown")),
]

TIMELINE_KINDS = {
    "CHECK_IN": N_("Checked in"),
    "TRANSFER": N_("Moved to another bed"),
    "CHECK_OUT": N_("Checked out"),
    "SERVICE_LOGGED": N_("Service logged"),
    "SERVICE_STATUS_CHANGED": N_("Service status changed"),
    "SERVICE_STAGE_ADVANCED": N_("Service moved on a stage"),
    "COURT_HEARING": N_("Court hearing"),
    "APPOINTMENT": N_("Medical appointment"),
    "COUNSELLING_SESSION": N_("Counselling session"),
    "DISTRIBUTION": N_("Handed out"),
}

STAYING = N_("Staying in {shelter}, room {room}, bed {bed}; days in the shelter: {days}")

#: Quick actions: (screen, label, icon), shown when the role may open the screen.
QUICK_ACTIONS = [
    ("handout", N_("Hand out"), "basket"),
    ("service_log", N_("Log a service"), "clipboard-text"),
    ("appointment_new", N_("Appointment"), "calendar-plus"),
    ("session_new", N_("Session"), "account-voice"),
    ("transfer", N_("Move bed"), "swap-horizontal"),
    ("check_out", N_("Check out"), "exit-run"),
    ("check_in", N_("Check in"), "bed"),
]


def name_of(options: list[tuple[str, str]], value: str | None) -> str:
    return _(dict(options).get(value or "", value or ""))


class ResidentScreen(HavenScreen):
    resident = StringProperty("")
    person = DictProperty()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        on_language(lambda _lang: self.show_person())

    def set_params(self, **params: Any) -> None:
        if params.get("resident") != self.resident:
            self.person = {}
        super().set_params(**params)

    async def refresh(self) -> None:
        if not self.resident:
            return
        found = await self.client.query(operations.RESIDENT, {"id": self.resident, "first": 50})
        self.person = found.get("resident") or {}
        self.show_person()

    def show_person(self) -> None:
        person = self.person
        if not person:
            return
        self.ids.headline.text = person_line(person)
        self.ids.facts.text = "\n".join(self.facts(person))
        self.show_actions(person)
        self.show_stays(person)
        self.show_timeline(person)

    def facts(self, person: dict[str, Any]) -> list[str]:
        """Lines of what the server gave; a field it returned null is left out."""
        lines = []
        basics = [
            name_of(SEXES, person.get("sex")) if person.get("sex") else None,
            name_of(AGE_BANDS, person.get("ageBand")) if person.get("ageBand") else None,
            name_of(NATIONALITIES, person.get("nationality"))
            if person.get("nationality")
            else None,
        ]
        if any(basics):
            lines.append(" · ".join(part for part in basics if part))
        birth = parse_day(person.get("birthDate"))
        if birth:
            lines.append(_("Born {date}").format(date=format_date(birth)))
        if person.get("phone"):
            lines.append(_("Phone: {phone}").format(phone=person["phone"]))
        if person.get("documentStatus"):
            lines.append(
                _("Documents: {status}").format(
                    status=name_of(DOCUMENT_STATUSES, person["documentStatus"])
                )
            )
        if person.get("referralSource"):
            lines.append(
                _("Referred by: {source}").format(
                    source=name_of(REFERRAL_SOURCES, person["referralSource"])
                )
            )
        if (person.get("safety") or {}).get("doNotDisclosePresence"):
            lines.append(_("Do not disclose that this person is here."))
        stay = person.get("currentStay")
        if stay:
            bed = stay.get("bed") or {}
            lines.append(
                _(STAYING).format(
                    shelter=(stay.get("shelter") or {}).get("name", ""),
                    room=(bed.get("room") or {}).get("name", ""),
                    bed=bed.get("label", ""),
                    days=stay.get("daysInShelter", 0),
                )
            )
        elif "currentStay" in person:
            lines.append(_("Not in a shelter now"))
        return lines

    def show_actions(self, person: dict[str, Any]) -> None:
        box = self.ids.actions
        box.clear_widgets()
        staying = bool(person.get("currentStay"))
        for name, label, icon in QUICK_ACTIONS:
            if not screens.allowed(self.app.role, name) or not screens.exists(name):
                continue
            if name in ("transfer", "check_out") and not staying:
                continue
            if name == "check_in" and staying:
                continue
            button = Factory.QuickAction(MDButtonIcon(icon=icon), MDButtonText(text=_(label)))
            button.bind(on_release=lambda _b, name=name: self.quick(name))
            box.add_widget(button)

    def quick(self, name: str) -> None:
        self.app.show(name, resident=self.resident)

    def show_stays(self, person: dict[str, Any]) -> None:
        box = self.ids.stays
        box.clear_widgets()
        for stay in person.get("stays") or []:
            since = format_date(_day(stay.get("checkedInAt")))
            until = format_date(_day(stay.get("checkedOutAt")))
            headline = (stay.get("shelter") or {}).get("name", "")
            period = f"{since} – {until}" if until else _("since {date}").format(date=since)
            box.add_widget(InfoRow(headline=headline, detail=period, active=False))
            for place in stay.get("bedHistory") or []:
                bed = place.get("bed") or {}
                start = format_date(_day(place.get("startedAt")))
                end = format_date(_day(place.get("endedAt")))
                box.add_widget(
                    InfoRow(
                        headline="    "
                        + _("Room {room}, bed {bed}").format(
                            room=(bed.get("room") or {}).get("name", ""),
                            bed=bed.get("label", ""),
                        ),
                        detail=f"    {start} – {end}" if end else "    " + start,
                        active=False,
                    )
                )
        if not box.children:
            box.add_widget(InfoRow(headline=_("No stays yet."), active=False))

    def show_timeline(self, person: dict[str, Any]) -> None:
        box = self.ids.timeline
        box.clear_widgets()
        edges = ((person.get("timeline") or {}).get("edges")) or []
        for edge in edges:
            entry = edge["node"]
            box.add_widget(
                InfoRow(
                    headline=_(TIMELINE_KINDS.get(entry.get("kind"), entry.get("kind", ""))),
                    detail=describe(entry.get("subject") or {}),
                    note=format_datetime(parse_moment(entry.get("at")), form="short"),
                    active=False,
                )
            )
        if not edges:
            box.add_widget(InfoRow(headline=_("Nothing recorded yet."), active=False))


def _day(moment: str | None) -> Any:
    parsed = parse_moment(moment)
    return parsed.astimezone().date() if parsed else None


def describe(subject: dict[str, Any]) -> str:
    """One line about a timeline entry's subject, from the fields the server gave, in words."""
    from mobile.screens import care_labels as labels

    kind = subject.get("__typename")
    if kind == "Stay":
        destination = subject.get("exitDestination")
        shelter = (subject.get("shelter") or {}).get("name", "")
        return f"{shelter} · {name_of(EXIT_DESTINATIONS, destination)}" if destination else shelter
    if kind == "BedAssignment":
        bed = subject.get("bed") or {}
        return _("Room {room}, bed {bed}").format(
            room=(bed.get("room") or {}).get("name", ""), bed=bed.get("label", "")
        )
    if kind == "StockMovement":
        return f"{labels.item_label(subject.get('item'))} × {subject.get('quantity', '')}"
    if kind == "ServiceChange":
        service = subject.get("service") or {}
        parts = (
            labels.service_kind_label(service.get("kind")),
            labels.service_status_label(subject.get("serviceStatus")),
            service.get("provider"),
        )
        return " · ".join(str(part) for part in parts if part)
    if kind == "MedicalAppointment":
        return " · ".join(
            part
            for part in (
                labels.appointment_kind_label(subject.get("appointmentKind")),
                labels.appointment_status_label(subject.get("appointmentStatus")),
            )
            if part
        )
    if kind == "CounsellingSession":
        return " · ".join(
            part
            for part in (
                labels.session_kind_label(subject.get("sessionKind")),
                labels.session_status_label(subject.get("sessionStatus")),
            )
            if part
        )
    if kind == "CourtHearing":
        return str(subject.get("outcome") or "")
    return ""
