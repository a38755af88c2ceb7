"""The donor-facing outputs from the demo network: CSV downloads and the HTML donor report,
whose charts show the published figures (and only those)."""

from __future__ import annotations

import base64
import csv
import io
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from fixtures.demo import load_demo
from server.app import create_app
from server.domain.access import Viewer
from server.domain.reports import Period, Report, ReportRange, build_report, count_figures
from server.domain.reports.charts import (
    Chart,
    admissions_chart,
    admissions_over_time_chart,
    bed_nights_chart,
    exits_chart,
    figure_for,
    label,
    services_chart,
    utilisation_chart,
)
from server.domain.reports.donor import CHARTS, donor_html
from server.domain.reports.spreadsheets import TABLES
from server.domain.reports.tables import (
    DESTINATIONS,
    EXPLOITATION,
    NATIONALITY,
    NETWORK,
    REFERRAL,
    REGION,
)
from server.models import AuditEvent, Role
from server.settings import Settings
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("app")


async def demo_report(period: Period = Period.MONTH) -> tuple[Report, ReportRange]:
    """The demo network's last 90 days (loaded into the emptied test database)."""
    await load_demo(seed=2026)
    today = datetime.now(UTC).date()
    span = ReportRange.checked(
        today - timedelta(days=90), today - timedelta(days=1), period, Settings().zone
    )
    return await build_report(Viewer.operator("tests"), span), span


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


async def test_csv_tables_hold_the_published_figures(client: httpx.AsyncClient) -> None:
    report, span = await demo_report()
    token = await sign_in(Role.COORDINATOR)
    query = {"from": span.start.isoformat(), "to": span.end.isoformat(), "period": "month"}

    responses = {
        table: await client.get(
            f"/reports/{table}.csv", params=query, headers={"authorization": f"Bearer {token}"}
        )
        for table in TABLES
    }

    for table, response in responses.items():
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert f"haven-{table}-{span.start}" in response.headers["content-disposition"]
    admissions = csv_rows(responses["admissions"])
    assert len(admissions) == len(report.admissions)
    expected = {
        (r.span.start.isoformat(), r.span.whole, r.area.name, r.breakdown, r.category): r.count
        for r in report.admissions
    }
    for row in admissions:
        key = (
            row["period_start"],
            row["span"] == "whole report",
            row["shelter"] or row["region"] or "Network",
            row["breakdown"],
            row["category"],
        )
        shown = expected[key]
        assert row["admissions"] == ("suppressed" if shown is None else str(shown))
        assert row["admissions"] == "suppressed" or not 0 < int(row["admissions"]) < 5
    assert any(row["admissions"] == "suppressed" for row in admissions)
    assert any(row["admissions"] not in ("suppressed", "0") for row in admissions)
    exits = csv_rows(responses["exits"])
    counts = [row["stays"] for row in exits if row["stays"] != "suppressed"]
    assert counts and all(not 0 < int(count) < 5 for count in counts)
    beds = csv_rows(responses["bed-nights"])
    network = [r for r in beds if r["level"] == NETWORK and r["span"] == "whole report"]
    whole = next(r for r in report.occupancy if r.area.level == NETWORK and r.span.whole)
    assert network == [
        {
            "period_start": span.start.isoformat(),
            "period_end": span.end.isoformat(),
            "span": "whole report",
            "level": "network",
            "region": "",
            "shelter": "",
            "bed_nights": str(whole.bed_nights),
            "capacity_bed_nights": str(whole.capacity),
            "utilisation_percent": str(whole.utilisation),
        }
    ]
    assert whole.bed_nights and whole.bed_nights > 1000
    stays = csv_rows(responses["length-of-stay"])
    assert {r["level"] for r in stays} == {"network", "region", "shelter"}
    # each download is in the audit trail
    assert await AuditEvent.filter(action="export_report").count() == len(TABLES)


CHART_BUILDERS = {
    "nationality": lambda report: admissions_chart(report, NATIONALITY),
    "exploitation": lambda report: admissions_chart(report, EXPLOITATION),
    "referral": lambda report: admissions_chart(report, REFERRAL),
    "exits": exits_chart,
    "utilisation": utilisation_chart,
    "bed-nights": bed_nights_chart,
    "admissions over time": admissions_over_time_chart,
    "services by pillar": lambda report: services_chart(report, "pillar"),
    "services by kind": lambda report: services_chart(report, "kind"),
}


def bars(chart: Chart) -> tuple[list[str], list[float], list[str]]:
    """What the drawn figure shows: tick labels, bar lengths, the numbers written by them."""
    axes = figure_for(chart).axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    lengths = [patch.get_width() for patch in axes.patches]  # type: ignore[attr-defined]
    written = [text.get_text() for text in axes.texts]
    return labels, lengths, written


async def test_every_chart_draws_the_published_figures() -> None:
    report, _ = await demo_report()
    whole = [r for r in report.admissions if r.span.whole and r.area.level == NETWORK]
    regions = [r for r in report.occupancy if r.span.whole and r.area.level == REGION]

    charts = {name: build(report) for name, build in CHART_BUILDERS.items()}

    assert charts["nationality"].values == [r.count for r in whole if r.breakdown == NATIONALITY]
    assert charts["nationality"].labels == [r.category for r in whole if r.breakdown == NATIONALITY]
    assert charts["referral"].values == [r.count for r in whole if r.breakdown == REFERRAL]
    assert charts["bed-nights"].values == [r.bed_nights for r in regions]
    assert charts["bed-nights"].labels == [r.area.name for r in regions]
    periods = [r for r in report.occupancy if not r.span.whole and r.area.level == NETWORK]
    assert charts["utilisation"].values == [r.utilisation for r in periods]
    services = [r for r in report.services if r.span.whole and r.area.level == NETWORK]
    assert charts["services by pillar"].values == [
        r.count for r in services if r.breakdown == "pillar"
    ]
    assert len(charts) == CHARTS
    for name, chart in charts.items():
        labels, lengths, written = bars(chart)
        assert labels == chart.labels, name
        assert lengths == [0.0 if v is None else float(v) for v in chart.values], name
        assert written == ["✱" if v is None else f"{v:g}" for v in chart.values], name
        assert any(length > 0 for length in lengths), f"{name} shows nothing"
    hidden = [v for chart in charts.values() for v in chart.values if v is None]
    assert hidden, "the demo has small counts; a chart must not draw them"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.title = ""
        self.text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append({k: v or "" for k, v in attrs})
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.text.append(data)


async def test_the_donor_report_opens_with_its_charts(tmp_path: Path) -> None:
    report, span = await demo_report()
    steps: list[str] = []

    html = donor_html(report, span, generated_at=datetime.now(UTC), step=steps.append)

    page = Page()
    page.feed(html)
    assert page.title.startswith("Haven donor report")
    assert len(page.images) == CHARTS == len(steps)
    for image in page.images:
        data = base64.b64decode(image["src"].removeprefix("data:image/png;base64,"))
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
    text = " ".join(page.text)
    for pillar in ("Protection", "Prevention", "Prosecution", "Partnership"):
        assert pillar in text
    network = next(r for r in report.occupancy if r.area.level == NETWORK and r.span.whole)
    assert f"{network.bed_nights:,}" in text
    assert "http" not in html.replace("http-equiv", ""), "the file must need no network"

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("headless Chromium is not installed: the HTML was parsed, not rendered")
    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1000,3000",
            page_file.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 50_000, "a blank page renders much smaller"


async def test_a_report_too_fine_to_check_is_not_offered_as_csv(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # given the demo network, and a server that checks combinations of totals only up to 10
    # hidden cells per table
    report, span = await demo_report()
    assert report.audited, "the demo report is checked against every combination of totals"
    strict = create_app(replace(settings, report_audit_limit=10))
    token = await sign_in(Role.COORDINATOR)
    query = {"from": span.start.isoformat(), "to": span.end.isoformat()}

    async with strict.router.lifespan_context(strict):
        transport = httpx.ASGITransport(app=strict)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
            response = await http.get(
                "/reports/admissions.csv",
                params=query,
                headers={"authorization": f"Bearer {token}"},
            )
            body = (
                await http.post(
                    "/graphql",
                    json={
                        "query": "query($f: Date!, $t: Date!) { report(from: $f, to: $t) "
                        "{ fullyChecked } }",
                        "variables": {"f": query["from"], "t": query["to"]},
                    },
                    headers={"authorization": f"Bearer {token}"},
                )
            ).json()

    # then the CSV is refused, and the report says it was not fully checked
    assert response.status_code == 422
    assert "too detailed" in response.text
    assert body == {"data": {"report": {"fullyChecked": False}}}


async def test_the_donor_report_gives_no_small_count_away() -> None:
    # given the demo report and its exact figures
    report, span = await demo_report()
    exact = await count_figures(span)
    whole = [r for r in report.admissions if r.span.whole and r.area.level == NETWORK]
    total = next(r.count for r in whole if r.breakdown == "total")
    exits = next(
        r.count
        for r in report.exits
        if r.span.whole and r.area.level == NETWORK and r.category == "exited"
    )
    assert total and exits, "the donor report's totals are shown"

    def exact_admissions(breakdown: str, category: str) -> int:
        return sum(
            v for (_, _, b, c), v in exact.admissions.items() if (b, c) == (breakdown, category)
        )

    def exact_exits(category: str) -> int:
        return sum(v for (_, _, c), v in exact.ended.items() if c == category)

    # each chart beside the total it adds up to: its hidden bars are none, or at least two
    # holding 5 or more people, so the total minus the shown bars gives no small count away
    def categories(breakdown: str) -> list[str]:
        return [r.category for r in whole if r.breakdown == breakdown]

    charts = [
        (admissions_chart(report, NATIONALITY), total, categories(NATIONALITY), NATIONALITY),
        (admissions_chart(report, REFERRAL), total, categories(REFERRAL), REFERRAL),
        (exits_chart(report), exits, list(DESTINATIONS), ""),
    ]
    for chart, shown_total, names, breakdown in charts:
        assert chart.labels == [label(name) for name in names]
        exact_values = [
            exact_admissions(breakdown, name) if breakdown else exact_exits(name) for name in names
        ]
        hidden = [v for v, shown in zip(exact_values, chart.values, strict=True) if shown is None]
        shown = sum(v for v in chart.values if v is not None)
        assert shown_total - shown == sum(hidden), chart.title
        assert not hidden or (len(hidden) >= 2 and sum(hidden) >= 5), (chart.title, hidden)


def test_every_exit_destination_is_an_outcome_of_the_exits_table() -> None:
    # a destination added to the model must not make `report { exits }` fail the server
    from server.models import ExitDestination
    from server.schema.reports.types import StayOutcome

    for destination in ExitDestination:
        assert StayOutcome(destination.value).name == destination.name
