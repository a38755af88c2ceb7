"""The GraphQL documents of the care and stock screens (hand-outs, services, appointments,
visits, counselling sessions, stock), one module constant each, checked against the schema.

    data = await client.query(care.STOCK, {"shelter": shelter_id, "first": 100})
    await actions.run("stockDistribute", care.STOCK_DISTRIBUTE, {"input": {...}}, summary=...)
"""

from __future__ import annotations

ERRORS = """
fragment CareErrors on UserError { code field message }
"""

ITEM = """
fragment CareItem on Item { id name category unit clothingSize season perishable }
"""

LEVEL = (
    """
fragment CareLevel on StockLevel { id onHand threshold low updatedAt item { ...CareItem } }
"""
    + ITEM
)

MOVEMENT = (
    """
fragment CareMovement on StockMovement {
  id kind quantity change onHandAfter at donor expiresOn note
  item { ...CareItem }
  level { id onHand threshold low }
}
"""
    + ITEM
)

APPOINTMENT = """
fragment CareAppointment on MedicalAppointment {
  id kind startsAt endsAt durationMinutes place status
  resident { id code givenName familyName }
  shelter { id name }
  provider { id fullName }
  visit { recordedAt followUpOn referredToHospital hospital findings notes }
}
"""

SESSION = """
fragment CareSession on CounsellingSession {
  id kind format startsAt endsAt durationMinutes interpreterLanguage status recordedAt notes
  shelter { id name }
  counsellor { id fullName }
  participants { attended resident { id code givenName familyName } }
}
"""

# -- reading -----------------------------------------------------------------------------

#: The resident a hand-out, service, appointment or session is for: where they stay now.
CARE_RESIDENT = """
query CareResident($id: ID!) {
  resident(id: $id) {
    id code givenName familyName
    currentStay { id shelter { id name } bed { id label } }
  }
}
"""

#: A shelter's stock on hand of every item it has held, zero included.
STOCK = (
    """
query Stock($shelter: ID!, $first: Int, $after: String, $category: ItemCategory) {
  stock(shelter: $shelter, first: $first, after: $after, category: $category) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...CareLevel } }
  }
}
"""
    + LEVEL
)

#: Items at or below their threshold in one shelter.
LOW_STOCK = (
    """
query LowStock($shelter: ID!, $first: Int, $after: String) {
  lowStock(shelter: $shelter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...CareLevel } }
  }
}
"""
    + LEVEL
)

#: The item catalogue, for a delivery of something the shelter never held.
ITEMS = (
    """
query Items($first: Int, $after: String, $category: ItemCategory, $search: String) {
  items(first: $first, after: $after, category: $category, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...CareItem } }
  }
}
"""
    + ITEM
)

#: The medical volunteers, counsellors or legal advisers of a shelter, to book them.
CARE_WORKERS = """
query CareWorkers($shelter: ID!, $role: Role) {
  careWorkers(shelter: $shelter, role: $role) { id fullName role }
}
"""

#: A provider's (or a shelter's) appointments of one day, by start time.
APPOINTMENTS = (
    """
query Appointments($provider: ID, $shelter: ID, $day: Date, $first: Int, $after: String) {
  appointments(provider: $provider, shelter: $shelter, day: $day, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...CareAppointment } }
  }
}
"""
    + APPOINTMENT
)

#: One appointment, for the visit screen.
APPOINTMENT_DETAIL = (
    """
query AppointmentDetail($id: ID!) {
  node(id: $id) { ...CareAppointment }
}
"""
    + APPOINTMENT
)

#: A counsellor's sessions, by start time: to record (status SCHEDULED), one day, or all.
SESSIONS = (
    """
query Sessions(
  $counsellor: ID, $day: Date, $status: SessionStatus, $first: Int, $after: String
) {
  counsellingSessions(
    counsellor: $counsellor, day: $day, status: $status, first: $first, after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...CareSession } }
  }
}
"""
    + SESSION
)

#: One session, for the record screen (its notes: the author's only).
SESSION_DETAIL = (
    """
query SessionDetail($id: ID!) {
  node(id: $id) { ...CareSession }
}
"""
    + SESSION
)

# -- changing (each through Actions.run, with an idempotency key) --------------------------

STOCK_DISTRIBUTE = (
    """
mutation StockDistribute($input: StockDistributeInput!, $idempotencyKey: UUID) {
  stockDistribute(input: $input, idempotencyKey: $idempotencyKey) {
    movement { ...CareMovement resident { id code } }
    errors { ...CareErrors }
  }
}
"""
    + MOVEMENT
    + ERRORS
)

STOCK_RECEIVE = (
    """
mutation StockReceive($input: StockReceiveInput!, $idempotencyKey: UUID) {
  stockReceive(input: $input, idempotencyKey: $idempotencyKey) {
    movement { ...CareMovement }
    errors { ...CareErrors }
  }
}
"""
    + MOVEMENT
    + ERRORS
)

STOCK_COUNT = (
    """
mutation StockCount($input: StockCountInput!, $idempotencyKey: UUID) {
  stockCount(input: $input, idempotencyKey: $idempotencyKey) {
    movement { ...CareMovement }
    errors { ...CareErrors }
  }
}
"""
    + MOVEMENT
    + ERRORS
)

SERVICE_LOG = (
    """
mutation ServiceLog($input: ServiceLogInput!, $idempotencyKey: UUID) {
  serviceLog(input: $input, idempotencyKey: $idempotencyKey) {
    service {
      id kind pillar status provider outcome startedOn completedOn
      documentType documentStage returnStage
      resident { id code }
    }
    errors { ...CareErrors }
  }
}
"""
    + ERRORS
)

APPOINTMENT_SCHEDULE = (
    """
mutation AppointmentSchedule($input: AppointmentScheduleInput!, $idempotencyKey: UUID) {
  appointmentSchedule(input: $input, idempotencyKey: $idempotencyKey) {
    appointment { ...CareAppointment }
    errors { ...CareErrors }
  }
}
"""
    + APPOINTMENT
    + ERRORS
)

VISIT_RECORD = (
    """
mutation VisitRecord($input: VisitRecordInput!, $idempotencyKey: UUID) {
  visitRecord(input: $input, idempotencyKey: $idempotencyKey) {
    appointment { ...CareAppointment }
    errors { ...CareErrors }
  }
}
"""
    + APPOINTMENT
    + ERRORS
)

APPOINTMENT_MARK_NO_SHOW = (
    """
mutation AppointmentMarkNoShow($input: AppointmentMarkNoShowInput!, $idempotencyKey: UUID) {
  appointmentMarkNoShow(input: $input, idempotencyKey: $idempotencyKey) {
    appointment { id status }
    errors { ...CareErrors }
  }
}
"""
    + ERRORS
)

SESSION_SCHEDULE = (
    """
mutation CounsellingSessionSchedule(
  $input: CounsellingSessionScheduleInput!, $idempotencyKey: UUID
) {
  counsellingSessionSchedule(input: $input, idempotencyKey: $idempotencyKey) {
    session { ...CareSession }
    errors { ...CareErrors }
  }
}
"""
    + SESSION
    + ERRORS
)

SESSION_RECORD = (
    """
mutation CounsellingSessionRecord(
  $input: CounsellingSessionRecordInput!, $idempotencyKey: UUID
) {
  counsellingSessionRecord(input: $input, idempotencyKey: $idempotencyKey) {
    session { ...CareSession }
    errors { ...CareErrors }
  }
}
"""
    + SESSION
    + ERRORS
)

#: Every document above, by the name its screens send it under (a test validates each).
DOCUMENTS = {
    "careResident": CARE_RESIDENT,
    "stock": STOCK,
    "lowStock": LOW_STOCK,
    "items": ITEMS,
    "careWorkers": CARE_WORKERS,
    "appointments": APPOINTMENTS,
    "appointmentDetail": APPOINTMENT_DETAIL,
    "sessions": SESSIONS,
    "sessionDetail": SESSION_DETAIL,
    "stockDistribute": STOCK_DISTRIBUTE,
    "stockReceive": STOCK_RECEIVE,
    "stockCount": STOCK_COUNT,
    "serviceLog": SERVICE_LOG,
    "appointmentSchedule": APPOINTMENT_SCHEDULE,
    "visitRecord": VISIT_RECORD,
    "appointmentMarkNoShow": APPOINTMENT_MARK_NO_SHOW,
    "counsellingSessionSchedule": SESSION_SCHEDULE,
    "counsellingSessionRecord": SESSION_RECORD,
}
