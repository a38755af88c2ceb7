"""Registering a person in care and finding residents by code, name and where they stay."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.domain.access import (
    Action,
    Viewer,
    may_read_identity,
    require,
    resident_scope,
    stay_scope,
)
from server.domain.audit import record
from server.domain.clock import now
from server.domain.errors import DomainError, ErrorCode, require_text
from server.models import DocumentStatus, ExploitationType, ReferralSource, Resident, Sex, Stay

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
#: Oldest plausible birth date; anything earlier is a typing mistake.
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Consents:
    data_processing: bool
    share_police: bool = False
    share_consulate: bool = False
    share_partner_ngo: bool = False


@dataclass(frozen=True)
class Registration:
    """What intake records about a new resident."""

    given_name: str
    sex: Sex
    nationality: str
    referral_source: ReferralSource
    document_status: DocumentStatus
    consents: Consents
    family_name: str = ""
    birth_date: date | None = None
    languages: tuple[str, ...] = ()
    preferred_language: str = ""
    phone: str = ""
    trusted_contact: str = ""
    exploitation_types: tuple[ExploitationType, ...] = ()
    do_not_disclose_presence: bool = False
    known_threats: str = ""
    # Dietary needs.
    diet_halal: bool = False
    diet_vegetarian: bool = False
    diet_infant_food: bool = False
    allergies: str = ""


def _validated(registration: Registration) -> dict[str, object]:
    if not registration.consents.data_processing:
        raise DomainError(
            ErrorCode.CONSENT_REQUIRED,
            ["consents", "dataProcessing"],
            "Consent to data processing is required to register a resident.",
        )
    nationality = registration.nationality.strip().upper()
    if not _COUNTRY.match(nationality):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            ["nationality"],
            "Nationality must be a two-letter ISO country code, such as UZ.",
        )
    languages = [code.strip().lower() for code in registration.languages]
    preferred = registration.preferred_language.strip().lower()
    for index, code in enumerate([*languages, *([preferred] if preferred else [])]):
        if not _LANGUAGE.match(code):
            where = ["languages", str(index)] if index < len(languages) else ["preferredLanguage"]
            raise DomainError(
                ErrorCode.INVALID_VALUE, where, f"{code!r} is not an ISO 639 language code."
            )
    if len(languages) > 10:
        raise DomainError(ErrorCode.INVALID_VALUE, ["languages"], "At most 10 languages.")
    birth = registration.birth_date
    if birth is not None and not (_EARLIEST_BIRTH <= birth <= now().date()):
        code = ErrorCode.DATE_IN_FUTURE if birth > now().date() else ErrorCode.INVALID_VALUE
        raise DomainError(code, ["birthDate"], "The birth date is not plausible.")
    consents = registration.consents
    return {
        "given_name": require_text(
            registration.given_name, ["givenName"], max_length=100, required=True
        ),
        "family_name": require_text(registration.family_name, ["familyName"], max_length=100),
        "birth_date": birth,
        "sex": registration.sex,
        "nationality": nationality,
        "languages": languages,
        "preferred_language": preferred,
        "phone": require_text(registration.phone, ["phone"], max_length=40),
        "trusted_contact": require_text(
            registration.trusted_contact, ["trustedContact"], max_length=200
        ),
        "exploitation_types": sorted({kind.value for kind in registration.exploitation_types}),
        "referral_source": registration.referral_source,
        "document_status": registration.document_status,
        "consent_data_processing": True,
        "consent_share_police": consents.share_police,
        "consent_share_consulate": consents.share_consulate,
        "consent_share_partner_ngo": consents.share_partner_ngo,
        "do_not_disclose_presence": registration.do_not_disclose_presence,
        "known_threats": require_text(
            registration.known_threats, ["knownThreats"], max_length=2000
        ),
        "diet_halal": registration.diet_halal,
        "diet_vegetarian": registration.diet_vegetarian,
        "diet_infant_food": registration.diet_infant_food,
        "allergies": require_text(
            registration.allergies, ["dietaryNeeds", "allergies"], max_length=500
        ),
    }


def resident_code(year: int, number: int) -> str:
    """>>> resident_code(2026, 123)
    'HV-2026-000123'"""
    return f"HV-{year}-{number:06d}"


async def register_resident(
    viewer: Viewer, registration: Registration, *, shelter_id: int | None = None
) -> Resident:
    """Record a new resident at the staff member's shelter (``shelter_id``, needed only for
    someone working in several); refused without consent to data processing.

    The code's number is the row's id, so two tablets registering at once never collide.
    """
    require(viewer, Action.REGISTER_RESIDENT)
    if shelter_id is None:
        if len(viewer.shelter_ids) != 1:
            raise DomainError(
                ErrorCode.REQUIRED, ["shelter"], "Say at which of your shelters the person arrived."
            )
        (shelter_id,) = viewer.shelter_ids
    require(viewer, Action.REGISTER_RESIDENT, shelter_ids=(shelter_id,))
    values = _validated(registration)
    current = now()
    async with in_transaction() as connection:
        resident = await Resident.create(
            code=f"new-{uuid.uuid4().hex[:16]}",
            consent_recorded_at=current,
            intake_shelter_id=shelter_id,
            using_db=connection,
            **values,
        )
        resident.code = resident_code(current.year, resident.id)
        await resident.save(using_db=connection, update_fields=["code"])
        await record(
            viewer,
            "register_resident",
            "Resident",
            resident.id,
            resident_id=resident.id,
            connection=connection,
        )
    return resident


@dataclass(frozen=True)
class ResidentFilter:
    """``search`` matches the code or a name, case-insensitively."""

    search: str | None = None
    shelter_id: int | None = None
    in_shelter: bool | None = None


def find_residents(viewer: Viewer, criteria: ResidentFilter) -> QuerySet[Resident]:
    """Residents the viewer may see matching ``criteria``, ordered by id. Names are searched
    only for roles that may read them: others find by code alone.

    >>> await find_residents(viewer, ResidentFilter(search="karimova", in_shelter=True))
    """
    query = Resident.filter(resident_scope(viewer))
    if criteria.search:
        term = require_text(criteria.search, ["search"], max_length=100)
        for word in term.split():
            matches = Q(code__icontains=word)
            if may_read_identity(viewer):
                matches |= Q(given_name__icontains=word) | Q(family_name__icontains=word)
            query = query.filter(matches)
    # Only stays the viewer may see count: staff learn nothing of a person's other shelters.
    visible_stays = Stay.filter(stay_scope(viewer))
    if criteria.shelter_id is not None:
        stays = visible_stays.filter(shelter_id=criteria.shelter_id)
        if criteria.in_shelter:
            stays = stays.filter(checked_out_at__isnull=True)
        query = query.filter(id__in=Subquery(stays.values("resident_id")))
    if criteria.in_shelter is not None:
        active = Subquery(visible_stays.filter(checked_out_at__isnull=True).values("resident_id"))
        query = query.filter(id__in=active) if criteria.in_shelter else query.exclude(id__in=active)
    return query.order_by("id")


class AgeBand(str, Enum):
    UNDER_12 = "under_12"
    AGE_12_17 = "12_17"
    AGE_18_24 = "18_24"
    AGE_25_34 = "25_34"
    AGE_35_49 = "35_49"
    AGE_50_PLUS = "50_plus"
    UNKNOWN = "unknown"


_BANDS = (
    (12, AgeBand.UNDER_12),
    (18, AgeBand.AGE_12_17),
    (25, AgeBand.AGE_18_24),
    (35, AgeBand.AGE_25_34),
    (50, AgeBand.AGE_35_49),
)


def age_band(birth_date: date | None, *, today: date | None = None) -> AgeBand:
    """The band reports may show instead of a birth date.

    >>> age_band(date(2000, 5, 1), today=date(2026, 11, 28))
    <AgeBand.AGE_25_34: '25_34'>
    """
    if birth_date is None:
        return AgeBand.UNKNOWN
    today = today or now().date()
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    for limit, band in _BANDS:
        if age < limit:
            return band
    return AgeBand.AGE_50_PLUS
