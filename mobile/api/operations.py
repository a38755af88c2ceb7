"""The GraphQL documents of sign-in, the shelter dashboard, residents, check-in, check-out and
transfer, one module constant each, checked against server/schema/schema.graphql by a test.

    viewer = await client.login(username, password)                  # LOGIN, then VIEWER's fields
    data = await client.query(operations.DASHBOARD, {"id": shelter_id, "day": "2026-11-29"})
    await actions.run("checkIn", operations.CHECK_IN, {"input": {"resident": r, "bed": b}},
                      summary="HV-2026-000123 → A/2")

Every mutation takes ``$idempotencyKey: UUID`` (the client fills it in) and asks for its
payload's ``errors``.
"""

from __future__ import annotations

ERRORS = """
fragment Errors on UserError { code field message }
"""

VIEWER_FIELDS = """
fragment ViewerFields on User {
  id username fullName role active
  shelters { id name kind timeZone }
}
"""

BED_PLACE = """
fragment BedPlace on Bed {
  id label features
  room { id name floor shelter { id name } }
}
"""

STAY_FIELDS = (
    """
fragment StayFields on Stay {
  id checkedInAt checkedOutAt exitDestination active daysInShelter
  shelter { id name }
  resident { id code }
  bed { ...BedPlace }
  bedHistory { startedAt endedAt bed { ...BedPlace } }
}
"""
    + BED_PLACE
)

RESIDENT_SUMMARY = """
fragment ResidentSummary on Resident {
  id code sex ageBand nationality givenName familyName birthDate
  currentStay {
    id checkedInAt daysInShelter
    shelter { id name }
    bed { id label room { id name } }
  }
}
"""

# -- signing in --------------------------------------------------------------------------

#: ``login`` answers with the token and the person, as VIEWER asks for them.
LOGIN = (
    """
mutation Login($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) {
    token
    user { ...ViewerFields }
    errors { ...Errors }
  }
}
"""
    + VIEWER_FIELDS
    + ERRORS
)

LOGOUT = (
    """
mutation Logout {
  logout { errors { ...Errors } }
}
"""
    + ERRORS
)

VIEWER = (
    """
query Viewer {
  viewer { ...ViewerFields }
}
"""
    + VIEWER_FIELDS
)

# -- the shelter's day -------------------------------------------------------------------

#: A shelter's figures, rooms and beds (who sleeps where since when, which bed is held for whom),
#: the day's medical appointments, its low stock and the holds for people expected, and who
#: arrived and left today (the server counts "today" in the shelter's ``timeZone``, which the app
#: also shows times in). ``day`` is the shelters' local date.
DASHBOARD = """
query Dashboard($id: ID!, $day: Date!) {
  shelter(id: $id) {
    id name kind timeZone
    occupancy { capacity occupied held outOfService free }
    rooms {
      id name floor
      beds {
        id label features status outOfServiceReason
        currentStay {
          id checkedInAt daysInShelter
          resident { id code givenName familyName }
        }
        hold { id reason expectedArrival expiresAt resident { id code } }
      }
    }
    arrivals {
      id checkedInAt checkedOutAt
      resident { id code givenName familyName }
      bed { id label room { id name } }
    }
    departures {
      id checkedInAt checkedOutAt exitDestination
      resident { id code givenName familyName }
    }
  }
  appointments(shelter: $id, day: $day, first: 100) {
    totalCount
    edges {
      node {
        id kind startsAt endsAt status place
        resident { id code givenName familyName }
        provider { id fullName }
      }
    }
  }
  lowStock(shelter: $id, first: 100) {
    totalCount
    edges { node { id onHand threshold item { id name category unit } } }
  }
  bedHolds(shelter: $id, active: true, first: 100) {
    totalCount
    edges {
      node {
        id reason expectedArrival expiresAt
        bed { id label room { id name } }
        resident { id code }
      }
    }
  }
}
"""

#: The shelters one may move a person to (a transfer), with their free beds.
SHELTERS = """
query Shelters($first: Int = 100, $after: String) {
  shelters(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges {
      node { id name kind region { id name } occupancy { capacity free } }
    }
  }
}
"""

# -- residents ---------------------------------------------------------------------------

#: By code or by words of the name (names only for roles that may read them).
RESIDENTS_SEARCH = (
    """
query ResidentsSearch(
  $search: String!, $shelter: ID, $inShelter: Boolean, $first: Int = 20, $after: String
) {
  residents(search: $search, shelter: $shelter, inShelter: $inShelter, first: $first,
            after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...ResidentSummary } }
  }
}
"""
    + RESIDENT_SUMMARY
)

#: A resident's page: who they are (as far as one may read), every stay with its beds, and the
#: timeline (newest first; ``after`` for the next page).
RESIDENT = (
    """
query Resident($id: ID!, $first: Int = 30, $after: String) {
  resident(id: $id) {
    id code sex nationality ageBand registeredAt
    givenName familyName birthDate languages preferredLanguage phone trustedContact
    exploitationTypes referralSource documentStatus
    consents { dataProcessing sharePolice shareConsulate sharePartnerNgo recordedAt }
    safety { doNotDisclosePresence knownThreats }
    dietaryNeeds { halal vegetarian infantFood allergies }
    currentStay { ...StayFields }
    stays { ...StayFields }
    timeline(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          at kind
          subject {
            __typename
            ... on Stay { id checkedInAt checkedOutAt exitDestination shelter { id name } }
            ... on BedAssignment { startedAt endedAt bed { id label room { id name } } }
            ... on ServiceChange {
              change serviceStatus: status documentStage returnStage
              service { id kind pillar status provider outcome }
            }
            ... on CourtHearing { date outcome service { id kind } }
            ... on MedicalAppointment {
              id appointmentKind: kind startsAt appointmentStatus: status
            }
            ... on CounsellingSession {
              id sessionKind: kind format startsAt sessionStatus: status
            }
            ... on StockMovement {
              id movementKind: kind quantity item { id name unit category }
            }
          }
        }
      }
    }
  }
}
"""
    + STAY_FIELDS
)

#: Free beds, for check-in and transfer: the first that fits (features, shelter) is the one to
#: suggest.
AVAILABLE_BEDS = (
    """
query AvailableBeds(
  $shelter: ID, $region: ID, $shelterKind: ShelterKind, $features: [BedFeature!],
  $first: Int = 50, $after: String
) {
  availableBeds(shelter: $shelter, region: $region, shelterKind: $shelterKind,
                features: $features, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...BedPlace } }
  }
}
"""
    + BED_PLACE
)

# -- changing (each through Actions.run, with an idempotency key) --------------------------

#: ``input``: givenName, sex, nationality, referralSource, documentStatus, consents
#: {dataProcessing: true, sharePolice, shareConsulate, sharePartnerNgo}, shelter, and the rest
#: of ResidentRegisterInput.
RESIDENT_REGISTER = (
    """
mutation ResidentRegister($input: ResidentRegisterInput!, $idempotencyKey: UUID) {
  residentRegister(input: $input, idempotencyKey: $idempotencyKey) {
    resident {
      ...ResidentSummary
      consents { dataProcessing sharePolice shareConsulate sharePartnerNgo }
    }
    errors { ...Errors }
  }
}
"""
    + RESIDENT_SUMMARY
    + ERRORS
)

#: ``input``: {resident, bed, at?, hold?}.
CHECK_IN = (
    """
mutation CheckIn($input: CheckInInput!, $idempotencyKey: UUID) {
  checkIn(input: $input, idempotencyKey: $idempotencyKey) {
    stay { ...StayFields }
    errors { ...Errors }
  }
}
"""
    + STAY_FIELDS
    + ERRORS
)

#: ``input``: {stay, exitDestination, at?}.
CHECK_OUT = (
    """
mutation CheckOut($input: CheckOutInput!, $idempotencyKey: UUID) {
  checkOut(input: $input, idempotencyKey: $idempotencyKey) {
    stay { ...StayFields }
    errors { ...Errors }
  }
}
"""
    + STAY_FIELDS
    + ERRORS
)

#: ``input``: {stay, bed, at?}. The stay answered is the one now active (a new one after a move
#: to another shelter).
TRANSFER = (
    """
mutation Transfer($input: TransferInput!, $idempotencyKey: UUID) {
  transfer(input: $input, idempotencyKey: $idempotencyKey) {
    stay { ...StayFields }
    errors { ...Errors }
  }
}
"""
    + STAY_FIELDS
    + ERRORS
)

#: Every document above by its root field (a test validates each against the schema).
DOCUMENTS = {
    "login": LOGIN,
    "logout": LOGOUT,
    "viewer": VIEWER,
    "dashboard": DASHBOARD,
    "shelters": SHELTERS,
    "residents": RESIDENTS_SEARCH,
    "resident": RESIDENT,
    "availableBeds": AVAILABLE_BEDS,
    "residentRegister": RESIDENT_REGISTER,
    "checkIn": CHECK_IN,
    "checkOut": CHECK_OUT,
    "transfer": TRANSFER,
}
