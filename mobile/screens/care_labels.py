"""What the care and stock screens call the server's enum values, in the reader's language.

category_label("HYGIENE")       # 'Hygiene' / 'Гигиена' / …
unit_label("KIT")
"""

from __future__ import annotations

from mobile.i18n import _


def category_label(value: str | None) -> str:
    return {
        "FOOD": _("Food"),
        "CLOTHING": _("Clothing"),
        "HYGIENE": _("Hygiene"),
        "MEDICAL_SUPPLY": _("Medical supplies"),
        "OTHER": _("Other"),
    }.get(value or "", value or "")


def unit_label(value: str | None) -> str:
    return {
        "PIECE": _("pcs"),
        "PACK": _("packs"),
        "BOX": _("boxes"),
        "BOTTLE": _("bottles"),
        "KG": _("kg"),
        "LITRE": _("litres"),
        "KIT": _("kits"),
        "PAIR": _("pairs"),
        "SET": _("sets"),
    }.get(value or "", value or "")


def season_label(value: str | None) -> str:
    return {
        "SUMMER": _("summer"),
        "DEMI_SEASON": _("spring/autumn"),
        "WINTER": _("winter"),
        "ALL_SEASON": _("all seasons"),
    }.get(value or "", value or "")


def service_kind_label(value: str | None) -> str:
    return {
        "LEGAL_AID": _("Legal aid"),
        "DOCUMENT_RESTORATION": _("Document restoration"),
        "COURT_REPRESENTATION": _("Court representation"),
        "POLICE_STATEMENT": _("Police statement accompaniment"),
        "FAMILY_TRACING": _("Family tracing"),
        "RETURN_HOME": _("Return home"),
        "INTERPRETATION": _("Interpretation"),
        "TRANSPORT": _("Transport"),
        "VOCATIONAL_TRAINING": _("Vocational training"),
        "HYGIENE_KIT": _("Hygiene kit"),
    }.get(value or "", value or "")


def service_status_label(value: str | None) -> str:
    return {
        "PLANNED": _("Planned"),
        "IN_PROGRESS": _("In progress"),
        "COMPLETED": _("Completed"),
        "CANCELLED": _("Cancelled"),
    }.get(value or "", value or "")


def document_type_label(value: str | None) -> str:
    return {
        "PASSPORT": _("Passport"),
        "ID_CARD": _("ID card"),
        "BIRTH_CERTIFICATE": _("Birth certificate"),
        "MIGRATION_CARD": _("Migration card"),
        "WORK_PERMIT": _("Work permit"),
        "OTHER": _("Other document"),
    }.get(value or "", value or "")


def appointment_kind_label(value: str | None) -> str:
    return {
        "GENERAL": _("General check-up"),
        "GYNAECOLOGICAL": _("Gynaecological"),
        "DENTAL": _("Dental"),
        "MENTAL_HEALTH": _("Mental health"),
        "TESTS": _("Tests"),
    }.get(value or "", value or "")


def appointment_status_label(value: str | None) -> str:
    return {
        "SCHEDULED": _("Scheduled"),
        "COMPLETED": _("Completed"),
        "CANCELLED": _("Cancelled"),
        "NO_SHOW": _("Did not come"),
    }.get(value or "", value or "")


def session_kind_label(value: str | None) -> str:
    return {
        "PSYCHOLOGICAL": _("Psychological"),
        "SOCIAL": _("Social"),
        "LEGAL": _("Legal"),
    }.get(value or "", value or "")


def session_status_label(value: str | None) -> str:
    return {
        "SCHEDULED": _("Scheduled"),
        "RECORDED": _("Recorded"),
        "CANCELLED": _("Cancelled"),
    }.get(value or "", value or "")


def session_format_label(value: str | None) -> str:
    return {"INDIVIDUAL": _("Individual"), "GROUP": _("Group")}.get(value or "", value or "")


def language_label(code: str | None) -> str:
    """An interpreter's language by its ISO 639 code; empty: none."""
    return {
        "": _("No interpreter"),
        "uz": _("Uzbek"),
        "ru": _("Russian"),
        "kk": _("Kazakh"),
        "ky": _("Kyrgyz"),
        "tg": _("Tajik"),
    }.get(code or "", code or "")


def item_label(item: dict[str, object] | None) -> str:
    """An item as staff name it on the shelf: name, size and season where it has them."""
    if not item:
        return ""
    parts = [str(item.get("name") or "")]
    if item.get("clothingSize"):
        parts.append(str(item["clothingSize"]))
    if item.get("season") and item.get("season") != "ALL_SEASON":
        parts.append(season_label(str(item["season"])))
    return " · ".join(part for part in parts if part)


def person_label(resident: dict[str, object] | None) -> str:
    """A resident by code, with the name when the server gave it (it decides who sees it)."""
    if not resident:
        return ""
    name = " ".join(
        str(part) for part in (resident.get("givenName"), resident.get("familyName")) if part
    )
    code = str(resident.get("code") or "")
    return f"{code} · {name}" if name else code
