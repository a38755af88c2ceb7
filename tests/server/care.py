"""Helpers for the care tests: people with a care role, times in the shelters' zone, bookings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.access import Viewer
from server.domain.counselling import SessionBooking, schedule_session
from server.domain.medical import Booking, schedule_appointment
from server.models import (
    AppointmentKind,
    AuditEvent,
    MedicalAppointment,
    Role,
    SessionFormat,
    SessionKind,
    Shelter,
    User,
)
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in

ZONE = ZoneInfo("Asia/Almaty")


@dataclass
class Member:
    """A signed-in account: its token, id, and the viewer the domain functions take."""

    token: str
    user: User
    viewer: Viewer

    @property
    def id(self) -> str:
        return encode_id("User", self.user.id)

    def client(self, gql: GraphQLClient) -> GraphQLClient:
        return gql.as_token(self.token)


async def member(role: Role, shelters: Iterable[Shelter], name: str = "") -> Member:
    shelters = list(shelters)
    username = name or f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    token = await sign_in(role, shelters, name=username)
    user = await User.get(username=username)
    viewer = Viewer(
        user_id=user.id,
        username=username,
        role=role,
        shelter_ids=frozenset(shelter.id for shelter in shelters),
        client="tests",
    )
    return Member(token, user, viewer)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant at a local time of the shelters (Almaty), in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def tomorrow() -> date:
    return datetime.now(ZONE).date() + timedelta(days=1)


async def book(
    who: Member,
    resident_id: int,
    provider: Member,
    starts_at: datetime,
    minutes: int = 30,
    kind: AppointmentKind = AppointmentKind.GENERAL,
) -> MedicalAppointment:
    return await schedule_appointment(
        who.viewer,
        Booking(
            resident_id=resident_id,
            provider_id=provider.user.id,
            kind=kind,
            starts_at=starts_at,
            minutes=minutes,
            place="Clinic No. 4",
        ),
        zone=ZONE,
    )


async def book_session(
    who: Member,
    counsellor: Member,
    resident_ids: list[int],
    starts_at: datetime,
    minutes: int = 50,
    kind: SessionKind = SessionKind.PSYCHOLOGICAL,
) -> int:
    session = await schedule_session(
        who.viewer,
        SessionBooking(
            kind=kind,
            counsellor_id=counsellor.user.id,
            resident_ids=tuple(resident_ids),
            starts_at=starts_at,
            minutes=minutes,
            format=SessionFormat.GROUP if len(resident_ids) > 1 else SessionFormat.INDIVIDUAL,
            interpreter_language="uz",
        ),
        zone=ZONE,
    )
    return session.id


def soon() -> datetime:
    """A start time that has just come: bookable (within the clock skew) and already due."""
    return datetime.now(UTC) - timedelta(minutes=1)


async def audit_count(action: str) -> int:
    return await AuditEvent.filter(action=action).count()
