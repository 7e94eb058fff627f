"""Stripe's search query language (https://docs.stripe.com/search#search-query-language), parsed
with a real grammar (Lark) into clauses, and checked against the fields a resource allows.

    email:"jenny@example.com" AND metadata["plan"]:"pro"
    name~"jen" OR -status:"canceled"
    created>1700000000 AND total>=1000

A query is up to 10 clauses joined by `AND` or by `OR` (not both). A clause is a field, an
operator (`:` exact, `~` substring of at least 3 characters, `>` `<` `>=` `<=` on numbers and
times) and a value (a quoted string, a number, or `null`); `-` negates it; `metadata["key"]` names a
metadata key. Errors are the `query` parameter's, worded as Stripe words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lark import Lark, Token, Transformer, UnexpectedInput
from lark.exceptions import VisitError

from app.domain.errors import RuleViolation

_GRAMMAR = r"""
    ?start: query
    query: clause (JOIN clause)*
    clause: NEGATE? field OP value
    field: METADATA "[" STRING "]"   -> metadata_field
         | NAME                      -> plain_field
    value: STRING | NUMBER | NULL
    JOIN.2: /AND|OR/
    NULL.2: "null"
    METADATA.2: "metadata"
    NEGATE: "-"
    OP: ">=" | "<=" | ":" | "~" | ">" | "<"
    NAME: /[a-z_][a-z0-9_.]*/
    STRING: /"(?:[^"\\]|\\.)*"/
    NUMBER: /-?\d+(\.\d+)?/
    %import common.WS
    %ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)
MAX_CLAUSES = 10


class Operator(StrEnum):
    EQUALS = ":"
    CONTAINS = "~"
    GT = ">"
    LT = "<"
    GTE = ">="
    LTE = "<="


class Join(StrEnum):
    AND = "AND"
    OR = "OR"


class FieldKind(StrEnum):
    TEXT = "text"  # exact match; substring where the resource allows it
    NUMBER = "number"  # exact and comparisons
    TOKEN = "token"  # exact match only (ids, enums, currencies)
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Field:
    kind: FieldKind
    substring: bool = False


@dataclass(frozen=True)
class Clause:
    field: str
    operator: Operator
    value: str | int | float | bool | None
    negated: bool = False
    metadata_key: str | None = None


@dataclass(frozen=True)
class Query:
    join: Join
    clauses: tuple[Clause, ...]


def _unquote(token: str) -> str:
    return token[1:-1].replace('\\"', '"').replace("\\\\", "\\")


class _ToClauses(Transformer[Token, object]):
    def plain_field(self, items: list[Token]) -> tuple[str, None]:
        return (str(items[0]), None)

    def metadata_field(self, items: list[Token]) -> tuple[str, str]:
        return ("metadata", _unquote(str(items[1])))

    def value(self, items: list[Token]) -> str | int | float | None:
        token = items[0]
        if token.type == "NULL":
            return None
        if token.type == "NUMBER":
            text = str(token)
            return float(text) if "." in text else int(text)
        return _unquote(str(token))

    def clause(self, items: list[object]) -> Clause:
        negated = isinstance(items[0], Token) and items[0].type == "NEGATE"
        field, op, value = items[1:] if negated else items
        assert isinstance(field, tuple) and isinstance(op, Token)
        name, key = field
        return Clause(str(name), Operator(str(op)), value, negated, key)  # type: ignore[arg-type]

    def query(self, items: list[object]) -> Query:
        clauses = [i for i in items if isinstance(i, Clause)]
        joins = {str(i) for i in items if isinstance(i, Token) and i.type == "JOIN"}
        if len(joins) > 1:
            raise _bad("You cannot combine AND and OR in the same query; use one of them.")
        return Query(Join(joins.pop()) if joins else Join.AND, tuple(clauses))


def _bad(message: str) -> RuleViolation:
    return RuleViolation(message, code="search_query_invalid", param="query")


def parse_query(text: str, resource: str, fields: dict[str, Field]) -> Query:
    """The query as clauses, each checked against the resource's fields (400 `query` otherwise)."""
    if not text.strip():
        raise _bad('The query is empty: give at least one clause, such as email:"jenny@example.com".')
    try:
        query = _ToClauses().transform(_PARSER.parse(text))
    except UnexpectedInput as exc:
        column = getattr(exc, "column", "?")
        raise _bad(f"Query syntax error at character {column}: {text!r}.") from None
    except VisitError as exc:  # a rule of the grammar's transformer refused the query
        raise exc.orig_exc from None
    if isinstance(query, Clause):
        query = Query(Join.AND, (query,))
    assert isinstance(query, Query)
    if len(query.clauses) > MAX_CLAUSES:
        raise _bad(f"A query can have at most {MAX_CLAUSES} clauses.")
    for clause in query.clauses:
        _check(clause, resource, fields)
    return query


def _check(clause: Clause, resource: str, fields: dict[str, Field]) -> None:
    spec = fields.get(clause.field)
    if spec is None:
        raise _bad(
            f"Field `{clause.field}` is an unsupported search field for resource `{resource}`. See "
            f"https://docs.stripe.com/search#query-fields-for-{resource} for a list of supported fields."
        )
    op, value = clause.operator, clause.value
    if op == Operator.CONTAINS:
        if not spec.substring:
            raise _bad(f"Field `{clause.field}` does not support the substring operator `~`.")
        if not isinstance(value, str) or len(value) < 3:
            raise _bad("A substring search (`~`) needs a quoted value of at least 3 characters.")
    elif op != Operator.EQUALS:
        if spec.kind != FieldKind.NUMBER:
            raise _bad(f"Field `{clause.field}` does not support the comparison `{op.value}`.")
        if not isinstance(value, int | float):
            raise _bad(f"The comparison `{clause.field}{op.value}` needs a number.")
    elif spec.kind == FieldKind.NUMBER and value is not None and not isinstance(value, int | float):
        raise _bad(f"Field `{clause.field}` takes a number.")
    elif spec.kind in (FieldKind.TEXT, FieldKind.TOKEN) and isinstance(value, int | float):
        raise _bad(f"Field `{clause.field}` takes a quoted string.")
    if spec.kind == FieldKind.BOOLEAN and value not in ("true", "false"):
        raise _bad(f'Field `{clause.field}` takes "true" or "false".')
    if clause.field == "metadata" and value is None:
        raise _bad("metadata clauses take a quoted value.")
