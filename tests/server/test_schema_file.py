"""The committed SDL is what the code serves: a change to the API shows up in review."""

from __future__ import annotations

from server.schema import SDL_PATH, sdl


def test_committed_schema_matches_the_code() -> None:
    assert SDL_PATH.read_text() == sdl(), (
        "server/schema/schema.graphql is stale: run `haven schema`"
    )


def test_core_operations_are_named_as_the_design_says() -> None:
    text = sdl()
    for query in (
        "node(",
        "shelters(",
        "shelter(",
        "occupancy(",
        "availableBeds(",
        "residents(",
        "resident(",
    ):
        assert f"  {query}" in text, query
    for mutation in ("residentRegister(", "checkIn(", "checkOut(", "transfer(", "bedSetStatus("):
        assert f"  {mutation}" in text, mutation
