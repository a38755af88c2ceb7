"""The one exception the rules raise, its codes, and the database's own refusals mapped to them.

raise DomainError(ErrorCode.BED_OCCUPIED, ["bed"], "Bed A is occupied.")
"""

from __future__ import annotations

from enum import Enum

from tortoise.exceptions import IntegrityError


class ErrorCode(str, Enum):
    NOT_FOUND = "not_found"
    INVALID_ID = "invalid_id"
    INVALID_VALUE = "invalid_value"
    TOO_LONG = "too_long"
    REQUIRED = "required"
    CONSENT_REQUIRED = "consent_required"
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_HISTORY = "date_before_history"
    BED_OCCUPIED = "bed_occupied"
    BED_HELD = "bed_held"
    BED_OUT_OF_SERVICE = "bed_out_of_service"
    BED_STATUS_UNCHANGED = "bed_status_unchanged"
    RESIDENT_ALREADY_IN_SHELTER = "resident_already_in_shelter"
    STAY_ALREADY_ENDED = "stay_already_ended"
    SAME_BED = "same_bed"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    # Services and meals.
    NOT_FOR_KIND = "not_for_kind"
    SERVICE_CLOSED = "service_closed"
    MEAL_ALREADY_RECORDED = "meal_already_recorded"
    MEAL_SUPERSEDED = "meal_superseded"
    STATUS_CHANGE_NOT_ALLOWED = "status_change_not_allowed"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"
    # Care: medical appointments and counselling sessions.
    DATE_IN_PAST = "date_in_past"
    NOT_YET_STARTED = "not_yet_started"
    PROVIDER_DOUBLE_BOOKED = "provider_double_booked"
    RESIDENT_DOUBLE_BOOKED = "resident_double_booked"
    COUNSELLOR_DOUBLE_BOOKED = "counsellor_double_booked"
    # bed holds
    HOLD_NOT_ACTIVE = "hold_not_active"
    # stock (issue 4)
    INSUFFICIENT_STOCK = "insufficient_stock"
    RESIDENT_NOT_IN_SHELTER = "resident_not_in_shelter"
    STOCK_COUNT_UNCHANGED = "stock_count_unchanged"
    SAME_SHELTER = "same_shelter"
    ITEM_ALREADY_EXISTS = "item_already_exists"
    # reports
    REPORT_TOO_DETAILED = "report_too_detailed"


class DomainError(Exception):
    """An expected refusal: what went wrong (``code``), where in the input (``field``), and why."""

    def __init__(self, code: ErrorCode, field: list[str], message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


#: Which refusal each database invariant stands for. PostgreSQL names the index in its
#: message; SQLite names the table and columns instead, hence both keys.
_CONSTRAINTS: dict[str, tuple[ErrorCode, list[str], str]] = {
    "uq_bed_assignment_active_bed": (ErrorCode.BED_OCCUPIED, ["bed"], "The bed is occupied."),
    "bed_assignment.bed_id": (ErrorCode.BED_OCCUPIED, ["bed"], "The bed is occupied."),
    "uq_stay_active_resident": (
        ErrorCode.RESIDENT_ALREADY_IN_SHELTER,
        ["resident"],
        "The resident is already staying in a shelter.",
    ),
    "stay.resident_id": (
        ErrorCode.RESIDENT_ALREADY_IN_SHELTER,
        ["resident"],
        "The resident is already staying in a shelter.",
    ),
    "uq_bed_outage_active_bed": (
        ErrorCode.BED_STATUS_UNCHANGED,
        ["bed"],
        "The bed is already out of service.",
    ),
    "bed_outage.bed_id": (
        ErrorCode.BED_STATUS_UNCHANGED,
        ["bed"],
        "The bed is already out of service.",
    ),
    "ck_stay_checkout_after_checkin": (
        ErrorCode.DATE_BEFORE_HISTORY,
        ["at"],
        "A check-out cannot be before its check-in.",
    ),
    "uq_bed_hold_active_bed": (ErrorCode.BED_HELD, ["bed"], "The bed is already held."),
    "bed_hold.bed_id": (ErrorCode.BED_HELD, ["bed"], "The bed is already held."),
    "ck_bed_outage_interval": (
        ErrorCode.DATE_BEFORE_HISTORY,
        ["at"],
        "A bed cannot come back into service before it went out.",
    ),
    "ck_bed_hold_interval": (
        ErrorCode.INVALID_VALUE,
        ["expiresAt"],
        "A hold must expire after it starts.",
    ),
    "ck_bed_assignment_interval": (
        ErrorCode.DATE_BEFORE_HISTORY,
        ["at"],
        "A bed assignment cannot end before it started.",
    ),
    # Services and meals (migration 0015).
    "ck_service_record_document": (
        ErrorCode.NOT_FOR_KIND,
        ["documentType"],
        "A document type and stage go with document restorations, and only with them.",
    ),
    "ck_service_record_return": (
        ErrorCode.NOT_FOR_KIND,
        ["returnStage"],
        "A return stage goes with returns home, and only with them.",
    ),
    "ck_service_record_completed": (
        ErrorCode.INVALID_VALUE,
        ["completedOn"],
        "A completion date goes with a completed service, and only with one.",
    ),
    "ck_service_record_dates": (
        ErrorCode.DATE_BEFORE_HISTORY,
        ["completedOn"],
        "A service cannot be completed before it started.",
    ),
    "service_record_closed": (
        ErrorCode.SERVICE_CLOSED,
        ["service"],
        "The service is completed or cancelled: it is not changed again.",
    ),
    "court_hearing_kind": (
        ErrorCode.NOT_FOR_KIND,
        ["service"],
        "Hearings belong to court representations.",
    ),
    "ck_meal_record_counts": (
        ErrorCode.INVALID_VALUE,
        ["served"],
        "Counts cannot be negative, nor a special diet above the meals served.",
    ),
    "uq_meal_record_current": (
        ErrorCode.MEAL_ALREADY_RECORDED,
        ["meal"],
        "That meal is already recorded: correct it instead.",
    ),
    "meal_record.shelter_id": (
        ErrorCode.MEAL_ALREADY_RECORDED,
        ["meal"],
        "That meal is already recorded: correct it instead.",
    ),
    # Care (migration *_care_invariants, and the one visit per appointment).
    "ck_medical_appointment_interval": (
        ErrorCode.INVALID_VALUE,
        ["durationMinutes"],
        "An appointment must end after it starts and last at most 8 hours.",
    ),
    "ck_counselling_session_interval": (
        ErrorCode.INVALID_VALUE,
        ["durationMinutes"],
        "A session must end after it starts and last at most 8 hours.",
    ),
    "ck_medical_appointment_status": (
        ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
        ["appointment"],
        "Only a scheduled appointment can change its status.",
    ),
    "ck_counselling_session_status": (
        ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
        ["session"],
        "Only a scheduled session can be recorded or cancelled.",
    ),
    "ck_medical_visit_referral": (
        ErrorCode.INVALID_VALUE,
        ["hospital"],
        "A hospital is named only for a referral to it.",
    ),
    "medical_visit.appointment_id": (
        ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
        ["appointment"],
        "The appointment already has its visit record.",
    ),
    "medical_visit_appointment_id": (
        ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
        ["appointment"],
        "The appointment already has its visit record.",
    ),
    # bed holds (server/migrations/0011_bed_hold_invariants.py)
    "ck_bed_hold_outcome": (ErrorCode.INVALID_VALUE, ["hold"], "A hold ends with an outcome."),
    "ck_bed_hold_release_interval": (
        ErrorCode.DATE_BEFORE_HISTORY,
        ["hold"],
        "A hold cannot end before it began.",
    ),
    # stock (issue 4): what slips past the locked checks in server/domain/stock.py
    "ck_stock_level_on_hand": (
        ErrorCode.INSUFFICIENT_STOCK,
        ["quantity"],
        "There is not that much on hand.",
    ),
    "uq_item_name_size": (
        ErrorCode.ITEM_ALREADY_EXISTS,
        ["name"],
        "An item with this name and size is already in the catalogue.",
    ),
}


def refusal_for(error: IntegrityError) -> DomainError:
    """The DomainError a violated invariant means; the error itself if it is not one of ours."""
    text = str(error)
    for needle, (code, field, message) in _CONSTRAINTS.items():
        if needle in text:
            return DomainError(code, field, message)
    raise error


def require_text(value: str, field: list[str], *, max_length: int, required: bool = False) -> str:
    """The value stripped, or a TOO_LONG / REQUIRED refusal naming the field."""
    value = value.strip()
    if "\x00" in value:
        raise DomainError(ErrorCode.INVALID_VALUE, field, f"{field[-1]} contains a NUL character.")
    try:
        value.encode()
    except UnicodeEncodeError as error:  # a lone surrogate, which no database stores
        raise DomainError(
            ErrorCode.INVALID_VALUE, field, f"{field[-1]} is not valid Unicode text."
        ) from error
    if required and not value:
        raise DomainError(ErrorCode.REQUIRED, field, f"{field[-1]} is required.")
    if len(value) > max_length:
        raise DomainError(
            ErrorCode.TOO_LONG, field, f"{field[-1]} is longer than {max_length} characters."
        )
    return value
