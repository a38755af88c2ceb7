"""The access rules as plain functions: who may act where, and consent before sharing."""

from __future__ import annotations

import pytest

from server.domain.access import (
    Action,
    SharingPurpose,
    Viewer,
    may_read_identity,
    may_read_note,
    require,
    require_consent,
)
from server.domain.errors import DomainError, ErrorCode
from server.models import NoteKind, Resident, Role


def viewer(role: Role | None, *shelters: int, user_id: int = 1) -> Viewer:
    return Viewer(user_id=user_id if role else None, role=role, shelter_ids=frozenset(shelters))


def test_shelter_roles_act_only_in_their_shelters() -> None:
    staff = viewer(Role.SHELTER_STAFF, 1, 2)

    require(staff, Action.CHECK_IN, shelter_ids=(1,))
    with pytest.raises(DomainError) as refused:
        require(staff, Action.CHECK_IN, shelter_ids=(3,))
    assert refused.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError):
        require(staff, Action.TRANSFER, shelter_ids=(1, 3))  # both ends must be theirs


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            Role.ADMIN,
            {
                Action.SET_BED_STATUS,
                Action.MANAGE_ACCOUNTS,
                Action.READ_AUDIT,
                Action.MANAGE_ITEMS,
                Action.SET_STOCK_THRESHOLD,
            },
        ),
        (Role.COORDINATOR, {Action.TRANSFER, Action.HOLD_BED}),
        (
            Role.SHELTER_STAFF,
            {
                Action.REGISTER_RESIDENT,
                Action.CHECK_IN,
                Action.CHECK_OUT,
                Action.TRANSFER,
                Action.SET_BED_STATUS,
                Action.HOLD_BED,
                Action.REFER,
                # Care.
                Action.SCHEDULE_APPOINTMENT,
                Action.SET_APPOINTMENT_STATUS,
                Action.SCHEDULE_SESSION,
                # Stock.
                Action.MOVE_STOCK,
                Action.SET_STOCK_THRESHOLD,
                # Services and meals.
                Action.LOG_SERVICE,
                Action.RECORD_MEALS,
            },
        ),
        (
            Role.MEDICAL,
            {
                Action.WRITE_NOTE,
                Action.REFER,
                # Care.
                Action.SCHEDULE_APPOINTMENT,
                Action.SET_APPOINTMENT_STATUS,
                Action.RECORD_VISIT,
            },
        ),
        # Care: counsellors and legal advisers schedule and record only their own sessions
        # (server/domain/counselling.py checks whose session it is).
        (
            Role.COUNSELLOR,
            {
                Action.WRITE_NOTE,
                Action.REFER,
                Action.SCHEDULE_SESSION,
                Action.RECORD_SESSION,
                Action.LOG_SERVICE,
            },
        ),
        (
            Role.LEGAL,
            {
                Action.WRITE_NOTE,
                Action.REFER,
                Action.SCHEDULE_SESSION,
                Action.RECORD_SESSION,
                Action.LOG_SERVICE,
            },
        ),
        (None, set()),
    ],
)
def test_each_role_takes_exactly_its_actions(role: Role | None, allowed: set[Action]) -> None:
    person = viewer(role, 1)
    taken = set()
    for action in Action:
        try:
            require(person, action, shelter_ids=(1,))
            taken.add(action)
        except DomainError as error:
            expected = ErrorCode.UNAUTHENTICATED if role is None else ErrorCode.FORBIDDEN
            assert error.code is expected
    assert taken == allowed


def test_identity_and_notes_follow_the_table() -> None:
    assert [may_read_identity(viewer(role, 1)) for role in Role] == [
        False,
        False,
        True,
        True,
        True,
        True,
    ]
    assert may_read_note(viewer(Role.MEDICAL, 1), NoteKind.MEDICAL, author_id=9)
    assert not may_read_note(viewer(Role.SHELTER_STAFF, 1), NoteKind.LEGAL, author_id=9)
    assert may_read_note(viewer(Role.COUNSELLOR, 1, user_id=9), NoteKind.COUNSELLING, author_id=9)
    assert not may_read_note(
        viewer(Role.COUNSELLOR, 1, user_id=8), NoteKind.COUNSELLING, author_id=9
    )


def test_sharing_needs_the_matching_consent() -> None:
    resident = Resident(
        code="HV-2026-000007",
        consent_share_police=True,
        consent_share_consulate=False,
        consent_share_partner_ngo=False,
    )

    require_consent(resident, SharingPurpose.POLICE)
    for purpose in (SharingPurpose.CONSULATE, SharingPurpose.PARTNER_NGO):
        with pytest.raises(DomainError) as refused:
            require_consent(resident, purpose)
        assert refused.value.code is ErrorCode.CONSENT_REQUIRED
        assert "HV-2026-000007" in refused.value.message
