"""Every document the care and stock screens send is valid against the server's schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from mobile.api import care

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "server" / "schema" / "schema.graphql"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(care.DOCUMENTS))
def test_document_is_valid(schema: GraphQLSchema, name: str) -> None:
    document = parse(care.DOCUMENTS[name])
    assert validate(schema, document) == []


def test_every_constant_is_listed() -> None:
    constants = {
        value
        for key, value in vars(care).items()
        if key.isupper()
        and isinstance(value, str)
        and value.lstrip().startswith(("query", "mutation"))
    }
    assert constants == set(care.DOCUMENTS.values())


@pytest.mark.parametrize(
    "name",
    sorted(name for name, text in care.DOCUMENTS.items() if text.lstrip().startswith("mutation")),
)
def test_mutation_takes_an_idempotency_key(name: str) -> None:
    """The offline queue replays with the key it made: every change must carry it."""
    assert "idempotencyKey: $idempotencyKey" in care.DOCUMENTS[name]
    assert "errors {" in care.DOCUMENTS[name]
