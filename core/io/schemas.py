"""Validation of Twintrack's JSON documents against the schemas in ``resources/schemas``."""

from __future__ import annotations

from typing import Any

from core.errors import FormatError

__all__ = ["validate_document"]


def validate_document(doc: Any, schema_name: str) -> None:
    """Validate ``doc`` against ``resources/schemas/<schema_name>``.

    Raises
    ------
    FormatError
        Naming the JSON path of the first problem, e.g. ``$.segments[2].end``.
    """
    import jsonschema

    from core.resources import schema

    validator = jsonschema.Draft202012Validator(schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is not None:
        raise FormatError(f"{error.json_path}: {error.message}")
