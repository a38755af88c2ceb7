"""Report figures against a hand count: five people over March 2025 in three shelters.

The world (Almaty time, UTC+5; each shelter 6 beds; shelters 0 and 2 in region R0, 1 in R1):

* Amina (UZ; sexual + labour; hotline): shelter 0, 3 March noon to 10 March, returned home.
* Bibi (KG; labour; police): shelter 0 from 5 March, moved to shelter 1 on 8 March (a new
  stay), left 20 March for independent living.
* Chinara (UZ; labour; NGO): shelter 2 from 20 February, to hospital 2 March, back in shelter 2
  on 3 March and still there.
* Dana (TJ; no type recorded; self): shelter 1, 15 March, left without notice that evening.
* Elif (UZ; sexual; police): shelter 0 from 25 March, still there.
* Bed 5 of shelter 0 was out of service from 1 March noon to 11 March noon.
* Services: Amina's return home completed 10 March, Bibi's legal aid 12 March, Chinara's
  passport restored 20 March; Elif's court case still going on, Dana's transport in February.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from server.domain.access import Viewer
from server.domain.reports import Period, ReportRange, build_report, count_figures, load_network
from server.domain.reports.figures import WHOLE
from server.domain.reports.tables import NETWORK, REGION, SHELTER
from server.domain.residents import Consents, Registration, register_resident
from server.domain.services import DEFAULT_PILLAR
from server.domain.stays import check_in, check_out, transfer
from server.models import (
    BedOutage,
    DocumentStatus,
    ExitDestination,
    ExploitationType,
    ReferralSource,
    Resident,
    Role,
    ServiceKind,
    ServiceRecord,
    Sex,
    Shelter,
)
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, QueryCounter, empty_tables, sign_in
from tests.server.network import Network, build_network, staff

ALMATY = ZoneInfo("Asia/Almaty")
MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=ALMATY).astimezone(UTC)


async def person(
    name: str,
    nationality: str,
    kinds: tuple[ExploitationType, ...],
    referral: ReferralSource,
    shelter: Shelter,
) -> Resident:
    return await register_resident(
        await staff(),
        Registration(
            given_name=name,
            sex=Sex.FEMALE,
            nationality=nationality,
            referral_source=referral,
            document_status=DocumentStatus.LOST,
            consents=Consents(data_processing=True),
            exploitation_types=kinds,
        ),
        shelter_id=shelter.id,
    )


DOCUMENT = {"document_type": "passport", "document_stage": "handed_over"}


async def march() -> Network:
    network = await build_network(shelters=3, regions=2)
    s0, s1, s2 = network.shelters
    b0, b1, b2 = (network.beds_of(shelter) for shelter in network.shelters)
    hand = await staff()
    E = ExploitationType
    amina = await person("Amina", "UZ", (E.SEXUAL, E.LABOUR), ReferralSource.HOTLINE, s0)
    bibi = await person("Bibi", "KG", (E.LABOUR,), ReferralSource.POLICE, s0)
    chinara = await person("Chinara", "UZ", (E.LABOUR,), ReferralSource.NGO, s2)
    dana = await person("Dana", "TJ", (), ReferralSource.SELF, s1)
    elif_ = await person("Elif", "UZ", (E.SEXUAL,), ReferralSource.POLICE, s0)

    stay = await check_in(hand, amina.id, b0[0].id, at=at(3, 3))
    await check_out(hand, stay.id, ExitDestination.RETURNED_HOME, at=at(3, 10))
    stay = await check_in(hand, bibi.id, b0[1].id, at=at(3, 5))
    stay = await transfer(hand, stay.id, b1[0].id, at=at(3, 8))
    await check_out(hand, stay.id, ExitDestination.INDEPENDENT_LIVING, at=at(3, 20))
    stay = await check_in(hand, chinara.id, b2[0].id, at=at(2, 20))
    await check_out(hand, stay.id, ExitDestination.HOSPITAL, at=at(3, 2))
    await check_in(hand, chinara.id, b2[1].id, at=at(3, 3))
    stay = await check_in(hand, dana.id, b1[1].id, at=at(3, 15))
    await check_out(hand, stay.id, ExitDestination.LEFT_WITHOUT_NOTICE, at=at(3, 15, 18))
    await check_in(hand, elif_.id, b0[2].id, at=at(3, 25))
    await BedOutage.create(bed=b0[5], reason="Mould", started_at=at(3, 1), ended_at=at(3, 11))
    K = ServiceKind
    for resident, shelter, kind, status, day, extra in [
        (amina, s0, K.RETURN_HOME, "completed", date(2025, 3, 10), {"return_stage": "arrived"}),
        (bibi, s1, K.LEGAL_AID, "completed", date(2025, 3, 12), {}),
        (chinara, s2, K.DOCUMENT_RESTORATION, "completed", date(2025, 3, 20), DOCUMENT),
        (elif_, s0, K.COURT_REPRESENTATION, "in_progress", None, {}),
        (dana, s1, K.TRANSPORT, "completed", date(2025, 2, 28), {}),
    ]:
        await ServiceRecord.create(
            resident=resident,
            shelter=shelter,
            kind=kind,
            pillar=DEFAULT_PILLAR[kind],
            status=status,
            completed_on=day,
            recorded_at=at(3, 1),
            **extra,
        )
    return network


async def test_a_month_matches_the_hand_count(app: object) -> None:
    network = await march()
    s0, s1, s2 = (shelter.id for shelter in network.shelters)

    figures = await count_figures(ReportRange.checked(*MARCH, Period.MONTH, ALMATY))

    # bed-nights: Amina 3-9 March (7), Bibi 5-7 (3) then 8-19 in shelter 1 (12), Chinara
    # 1 March (1; away the night of the 2nd) and 3-31 (29), Elif 25-31 (7), Dana none
    assert figures.occupied == {(0, s0): 17, (0, s1): 12, (0, s2): 30}
    assert figures.capacity == {(0, s0): 186, (0, s1): 186, (0, s2): 186}
    assert figures.out_of_service == {(0, s0): 10}
    r0, r1 = (region.id for region in network.regions)
    assert figures.people[(0, "shelter", s0)] == 3  # Amina, Bibi, Elif
    assert figures.people[(0, "shelter", s1)] == 1  # Bibi (Dana slept no night)
    assert figures.people[(0, "region", r0)] == 4
    assert figures.people[(0, "region", r1)] == 1
    assert figures.people[(WHOLE, "network", 0)] == 4
    # admissions: Amina, Bibi, Elif in shelter 0, Dana in 1; Bibi's move and Chinara's
    # return the day after hospital are not admissions
    admissions = {k[1:]: v for k, v in figures.admissions.items()}
    assert admissions == {
        (s0, "total", ""): 3,
        (s1, "total", ""): 1,
        (s0, "nationality", "UZ"): 2,
        (s0, "nationality", "KG"): 1,
        (s1, "nationality", "TJ"): 1,
        (s0, "exploitation", "sexual"): 2,
        (s0, "exploitation", "labour"): 2,
        (s0, "referral", "hotline"): 1,
        (s0, "referral", "police"): 2,
        (s1, "referral", "self"): 1,
    }
    # stays ended: Bibi's first and Chinara's hospital stay went on the same or next day
    assert {k[1:]: v for k, v in figures.ended.items()} == {
        (s0, "returned_home"): 1,
        (s0, "transfer"): 1,
        (s1, "independent_living"): 1,
        (s1, "left_without_notice"): 1,
        (s2, "transfer"): 1,
    }
    # services completed in March: Amina's return home, Bibi's legal aid, Chinara's passport
    # (Elif's court case goes on; Dana's transport was in February)
    assert {k[1:]: v for k, v in figures.services.items()} == {
        (s0, "total", ""): 1,
        (s1, "total", ""): 1,
        (s2, "total", ""): 1,
        (s0, "kind", "return_home"): 1,
        (s1, "kind", "legal_aid"): 1,
        (s2, "kind", "document_restoration"): 1,
        (s0, "pillar", "protection"): 1,
        (s1, "pillar", "protection"): 1,
        (s2, "pillar", "protection"): 1,
    }
    # nights of the stays ended: Amina 7, Bibi 3 and 12, Chinara 10 (20 Feb - 1 Mar), Dana 0
    assert {k[1:]: v for k, v in figures.nights.items()} == {
        (s0, 7): 1,
        (s0, 3): 1,
        (s1, 12): 1,
        (s2, 10): 1,
        (s1, 0): 1,
    }


async def test_weeks_cut_the_month_at_mondays(app: object) -> None:
    network = await march()
    s0, s1, s2 = (shelter.id for shelter in network.shelters)
    span = ReportRange.checked(*MARCH, Period.WEEK, ALMATY)

    figures = await count_figures(span)

    assert span.periods() == [
        (date(2025, 3, 1), date(2025, 3, 2)),
        (date(2025, 3, 3), date(2025, 3, 9)),
        (date(2025, 3, 10), date(2025, 3, 16)),
        (date(2025, 3, 17), date(2025, 3, 23)),
        (date(2025, 3, 24), date(2025, 3, 30)),
        (date(2025, 3, 31), date(2025, 3, 31)),
    ]
    totals = {(k[0], k[1]): v for k, v in figures.admissions.items() if k[2] == "total"}
    assert totals == {(1, s0): 2, (2, s1): 1, (4, s0): 1}
    ended = {(k[0], k[2]): v for k, v in figures.ended.items()}
    assert ended == {
        (0, "transfer"): 1,
        (1, "transfer"): 1,
        (2, "returned_home"): 1,
        (2, "left_without_notice"): 1,
        (3, "independent_living"): 1,
    }
    # 1-2 March: Chinara's night of the 1st. 3-9 March: Amina 7, Bibi 3 + 2, Chinara 7.
    assert sum(v for (p, _), v in figures.occupied.items() if p == 0) == 1
    assert figures.occupied[(1, s0)] == 10 and figures.occupied[(1, s1)] == 2
    assert figures.occupied[(1, s2)] == 7


async def test_published_tables_add_up_and_hide_the_small_counts(app: object) -> None:
    await march()
    span = ReportRange.checked(*MARCH, Period.MONTH, ALMATY)

    report = await build_report(Viewer.operator("tests"), span)

    network = [r for r in report.occupancy if r.area.level == NETWORK and r.span.whole]
    # capacity is beds, not people: shown; 59 bed-nights of 4 people: hidden
    assert [(r.bed_nights, r.capacity, r.utilisation) for r in network] == [(None, 548, None)]
    shown = [r.count for r in report.admissions + report.exits if r.count is not None]
    assert all(count == 0 or count >= 5 for count in shown)
    # the same hand count, published once there are enough people: 5 stays ended
    lengths = [r for r in report.length_of_stay if r.area.level == NETWORK and r.span.whole]
    assert [(r.stays, r.mean_nights, r.median_nights) for r in lengths] == [(5, 6.4, 7.0)]
    by_shelter = [r for r in report.length_of_stay if r.area.level == SHELTER]
    assert all(r.stays in (0, None) and r.mean_nights is None for r in by_shelter)
    regions = [r.area.name for r in report.occupancy if r.area.level == REGION and r.span.whole]
    assert regions == ["Region 0", "Region 1"]
    assert [a.name for a in (await load_network()).areas] == [
        "Network",
        "Region 0",
        "Shelter 0",
        "Shelter 2",
        "Region 1",
        "Shelter 1",
    ]


REPORT = """
query ($from: Date!, $to: Date!, $shelter: ID) {
  report(from: $from, to: $to, period: MONTH, shelter: $shelter) {
    from to period periods { start end }
    bedNights { span { whole } area { level shelter { name } } bedNights capacity suppressed }
    lengthOfStay(level: NETWORK) { span { whole } stays meanNights medianNights }
  }
}"""


async def test_graphql_shows_the_same_figures(gql: GraphQLClient) -> None:
    network = await march()
    coordinator = gql.as_token(await sign_in(Role.COORDINATOR))
    shelter = network.shelters[0]

    result = await coordinator.data(
        REPORT,
        {"from": "2025-03-01", "to": "2025-03-31", "shelter": encode_id("Shelter", shelter.id)},
    )

    report = result["report"]
    assert report["periods"] == [{"start": "2025-03-01", "end": "2025-03-31"}]
    # narrowed to shelter 0: its rows only, its three sleepers hidden
    assert report["bedNights"] == [
        {
            "span": {"whole": whole},
            "area": {"level": "SHELTER", "shelter": {"name": "Shelter 0"}},
            "bedNights": None,
            "capacity": 176,
            "suppressed": True,
        }
        for whole in (True, False)
    ]
    assert report["lengthOfStay"] == []


EVERYTHING = """
query ($from: Date!, $to: Date!) {
  report(from: $from, to: $to, period: WEEK) {
    periods { start end }
    bedNights { span { start } area { level name region { name } shelter { name } }
                bedNights capacity utilisation suppressed }
    admissions { area { shelter { name } } breakdown category count }
    exits { area { region { code } } outcome count }
    lengthOfStay { area { shelter { kind } } stays meanNights medianNights }
  }
}"""


async def _report_statements(gql: GraphQLClient, shelters: int) -> int:
    network = await build_network(shelters=shelters, regions=min(shelters, 8))
    for shelter in network.shelters:
        resident = await person("Aziza", "UZ", (), ReferralSource.POLICE, shelter)
        stay = await check_in(
            await staff(), resident.id, network.beds_of(shelter)[0].id, at=at(3, 4)
        )
        await check_out(await staff(), stay.id, ExitDestination.REPATRIATED, at=at(3, 9))
    coordinator = gql.as_token(await sign_in(Role.COORDINATOR))
    with QueryCounter() as counter:
        await coordinator.data(EVERYTHING, {"from": "2025-03-01", "to": "2025-03-31"})
    return counter.count


async def test_statements_do_not_grow_with_the_network(gql: GraphQLClient) -> None:
    # given a network of 3 shelters, then (emptied) one of 30, each with a stay in March
    small = await _report_statements(gql, 3)
    await empty_tables()
    large = await _report_statements(gql, 30)

    # then the report costs the same statements: sign-in, regions and shelters, four counts,
    # and one batch per loader
    assert small == large, (small, large)
    assert small <= 10, small
