"""Every document the tablet's core screens send is valid against the server's schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from mobile.api import operations

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "server" / "schema" / "schema.graphql"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(operations.DOCUMENTS))
def test_document_is_valid(schema: GraphQLSchema, name: str) -> None:
    assert validate(schema, parse(operations.DOCUMENTS[name])) == []


def test_every_document_is_listed() -> None:
    documents = {
        value
        for key, value in vars(operations).items()
        if key.isupper()
        and isinstance(value, str)
        and value.lstrip().startswith(("query", "mutation"))
    }
    assert documents == set(operations.DOCUMENTS.values())


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name, text in operations.DOCUMENTS.items()
        if text.lstrip().startswith("mutation") and name not in ("login", "logout")
    ),
)
def test_change_carries_an_idempotency_key(name: str) -> None:
    """The offline queue replays with the key it made: every change must take it."""
    document = operations.DOCUMENTS[name]
    assert f"{name}(input: $input, idempotencyKey: $idempotencyKey)" in document
    assert "errors {" in document
