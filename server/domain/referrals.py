"""Referrals: a partner sends a person to a shelter, or a shelter sends a person — and so their
data — to the police, a consulate, a partner NGO or a hospital. Sending needs the person's
consent to that kind of sharing.

    referral = await refer(viewer, Referral_(resident_id=7, direction=OUTGOING,
                                             partner=PartnerKind.EMBASSY, organisation="…"))
    await set_referral_status(viewer, referral.id, ReferralStatus.ACCEPTED)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.domain.access import (
    Action,
    SharingPurpose,
    Viewer,
    require,
    require_consent,
    resident_scope,
)
from server.domain.audit import record
from server.domain.clock import moment
from server.domain.errors import DomainError, ErrorCode, require_text
from server.models import (
    PartnerKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
    Resident,
    Stay,
)

#: The consent an outgoing referral to each partner needs. A hospital referral is care, which the
#: consent to data processing given at intake covers: nobody waits for a form in an emergency.
CONSENT_FOR: dict[PartnerKind, SharingPurpose | None] = {
    PartnerKind.POLICE: SharingPurpose.POLICE,
    PartnerKind.EMBASSY: SharingPurpose.CONSULATE,
    PartnerKind.PARTNER_NGO: SharingPurpose.PARTNER_NGO,
    PartnerKind.HOSPITAL: None,
}

#: Where a referral may go from each status; the others are final.
NEXT_STATUS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.OPEN: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.DECLINED}),
}


@dataclass(frozen=True)
class NewReferral:
    resident_id: int
    direction: ReferralDirection
    partner: PartnerKind
    organisation: str
    reason: str = ""
    at: datetime | None = None


def referral_scope(viewer: Viewer) -> Q:
    """A person's referrals are part of their case: the shelter roles who see the person see
    them all (so a case moves with a person transferred to another shelter); network roles see
    none — they count referral sources in reports, not who went to the police."""
    if not viewer.shelter_bound:
        return Q(id__in=[])
    return resident_scope(viewer, "resident")


async def _shelter_of(viewer: Viewer, resident: Resident) -> int:
    """The shelter the referral is made from: the person's current one, else their intake one."""
    stay = await Stay.filter(resident_id=resident.id, checked_out_at__isnull=True).first()
    shelter_id = stay.shelter_id if stay else resident.intake_shelter_id
    if shelter_id is None:  # registered before shelters were recorded at intake
        raise DomainError(
            ErrorCode.INVALID_VALUE, ["resident"], f"{resident.code} has no shelter to refer from."
        )
    return shelter_id


async def refer(viewer: Viewer, new: NewReferral) -> Referral:
    require(viewer, Action.REFER)
    organisation = require_text(new.organisation, ["organisation"], max_length=200, required=True)
    reason = require_text(new.reason, ["reason"], max_length=1000)
    when = moment(new.at, ["at"])
    resident = await Resident.filter(resident_scope(viewer), id=new.resident_id).first()
    if resident is None:
        raise DomainError(ErrorCode.NOT_FOUND, ["resident"], "No such resident.")
    shelter_id = await _shelter_of(viewer, resident)
    require(viewer, Action.REFER, shelter_ids=(shelter_id,))
    purpose = CONSENT_FOR[new.partner]
    if new.direction is ReferralDirection.OUTGOING and purpose is not None:
        require_consent(resident, purpose)
    async with in_transaction() as connection:
        referral = await Referral.create(
            resident_id=resident.id,
            shelter_id=shelter_id,
            made_by_id=viewer.user_id,
            direction=new.direction,
            partner=new.partner,
            organisation=organisation,
            reason=reason,
            referred_at=when,
            using_db=connection,
        )
        await record(
            viewer,
            "refer",
            "Referral",
            referral.id,
            resident_id=resident.id,
            detail=f"{new.direction.value} {new.partner.value}",
            connection=connection,
        )
    return referral


async def set_referral_status(
    viewer: Viewer, referral_id: int, status: ReferralStatus, *, at: datetime | None = None
) -> Referral:
    """Accept, decline or complete a referral; a declined or completed one is final."""
    require(viewer, Action.REFER)
    when = moment(at, ["at"])
    async with in_transaction() as connection:
        referral = (
            await Referral.filter(referral_scope(viewer), id=referral_id)
            .using_db(connection)
            .select_for_update()
            .first()
        )
        if referral is None:
            raise DomainError(ErrorCode.NOT_FOUND, ["referral"], "No such referral.")
        require(viewer, Action.REFER, shelter_ids=(referral.shelter_id,))
        if status not in NEXT_STATUS.get(referral.status, frozenset()):
            raise DomainError(
                ErrorCode.STATUS_CHANGE_NOT_ALLOWED,
                ["status"],
                f"A {referral.status.value} referral cannot become {status.value}.",
            )
        if when < referral.referred_at:
            raise DomainError(
                ErrorCode.DATE_BEFORE_HISTORY, ["at"], "The time is before the referral."
            )
        referral.status = status
        final = status in (ReferralStatus.DECLINED, ReferralStatus.COMPLETED)
        referral.closed_at = when if final else None
        await referral.save(using_db=connection, update_fields=["status", "closed_at"])
        await record(
            viewer,
            "referral_status",
            "Referral",
            referral.id,
            resident_id=referral.resident_id,
            detail=status.value,
            connection=connection,
        )
    return referral
