"""Declared shapes: what a socket event or a form may carry, as pydantic v2 models (docs/validation.md).

Every field is one of the types below, each built on the domain's own rules (``text.clean_text``
and friends), so that a limit is written once, in the domain, and the error codes are the ones
the interface already words (``web.i18n.field_error``, ``realtime.replies``). A field's check
runs even when the field is absent (``validate_default``): absence is judged by the same rule,
usually ``required``.

``Schema.parse`` gives a typed, frozen model or raises ``Refused``: ``bad_request`` when the
envelope is wrong (not an object, or a field listed in ``envelope``), else ``invalid`` with every
field's error at once, ``{field: {code, limit?}}``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Callable, ClassVar, Iterable, Mapping, Self

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from .text import InvalidField, clean_email, clean_phone, clean_text

# The id a phone or a console makes for each submission or command (a UUID in practice).
REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on every database
MAX_ARGS_ITEMS = 1000  # a command's arguments: a few values, or the running order
_PARTIAL = "partial: fields refused"


def is_request_id(value: Any) -> bool:
    return isinstance(value, str) and REQUEST_ID.fullmatch(value) is not None  # no trailing newline either


@dataclass(frozen=True)
class Rule:
    """Metadata of a field: whether it must be given (for the JSON Schema's ``required``)."""

    required: bool


def refuse(code: str, limit: int | None = None) -> PydanticCustomError:
    return PydanticCustomError(code, code, {"limit": limit} if limit is not None else None)


def field(check: Callable[..., Any], json_schema: dict[str, Any], *, required: bool,
          python_type: Any = str, with_info: bool = False) -> Any:
    """A field type whose value is ``check(value)``; an ``InvalidField`` it raises becomes the field's error."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value, info) if with_info else check(value)
        except InvalidField as error:
            if info.context and _PARTIAL in info.context:  # Schema.partial: note it, go on with the others
                info.context[_PARTIAL].add(info.field_name)
                return None
            raise refuse(error.code, error.limit) from None

    return Annotated[(python_type if required else python_type | None, PlainValidator(validate),
                      WithJsonSchema(json_schema), Rule(required))]


def Text(max_chars: int, *, required: bool = True, multiline: bool = False) -> Any:
    """Text cleaned as every screen shows it (``clean_text``), at most ``max_chars`` after cleaning."""
    return field(lambda v: clean_text(v, field="", max_chars=max_chars, required=required, multiline=multiline),
                 {"type": "string", "maxLength": max_chars, **({"minLength": 1} if required else {})},
                 required=required)


def Email(max_chars: int = 254) -> Any:
    return field(lambda v: clean_email(v, field="", max_chars=max_chars),
                 {"type": "string", "format": "email", "maxLength": max_chars}, required=True)


def Phone() -> Any:
    return field(lambda v: clean_phone(v, field=""), {"type": "string", "maxLength": 30}, required=False)


def Choice(allowed: Iterable[str], *, max_chars: int = 100, code: str = "invalid_choice") -> Any:
    """One of ``allowed``, after cleaning (a blank one is ``required``)."""
    allowed = tuple(allowed)

    def check(value: Any) -> str:
        text = clean_text(value, field="", max_chars=max_chars)
        if text not in allowed:
            raise InvalidField("", code)
        return text

    return field(check, {"type": "string", "enum": list(allowed)}, required=True)


def Id(code: str = "bad_request") -> Any:
    """A row id: a positive 32-bit integer (not a bool, a float or a numeric string)."""

    def check(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
            return value
        raise InvalidField("", code)

    return field(check, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, required=True, python_type=int)


def _request_id(value: Any) -> str:
    if not is_request_id(value):
        raise InvalidField("", "bad_request")
    return value


RequestId = field(_request_id, {"type": "string", "pattern": REQUEST_ID.pattern}, required=True)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidField("", "bad_request")
    return value


Flag = field(_flag, {"type": "boolean"}, required=True, python_type=bool)


def _finite(value: Any, budget: list[int]) -> bool:
    """Only JSON a database stores as sent: no NaN or infinity (PostgreSQL's JSON refuses them), bounded size."""
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _finite(v, budget) for k, v in value.items())
    if isinstance(value, list):
        return all(_finite(v, budget) for v in value)
    return value is None or isinstance(value, (str, int, bool))


def _arguments(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not _finite(value, [MAX_ARGS_ITEMS]):
        raise InvalidField("", "bad_request")
    return value


Arguments = field(_arguments, {"type": "object",
                                "description": f"finite numbers only, at most {MAX_ARGS_ITEMS} values"},
                  required=False, python_type=dict)


class Refused(ValueError):
    """A payload that does not fit its schema: ``code`` is ``bad_request`` or ``invalid``."""

    def __init__(self, code: str, errors: list[InvalidField], detail: str | None = None):
        super().__init__(detail or code)
        self.code, self.errors, self.detail = code, errors, detail

    def answer(self) -> dict:
        """The refusal as services answer it (language-neutral: codes and limits)."""
        if self.code == "invalid":
            return {"ok": False, "error": {"code": "invalid", "fields": {
                e.field: {"code": e.code, "limit": e.limit} for e in self.errors}}}
        return {"ok": False, "error": {"code": self.code, **({"message": self.detail} if self.detail else {})}}


def _json_schema_extra(schema: dict[str, Any], model: type[Schema]) -> None:
    schema.pop("title", None)
    for name, prop in schema.get("properties", {}).items():
        prop.pop("title", None)
        prop.pop("default", None)
    schema["required"] = [name for name, info in model.model_fields.items()
                          if any(isinstance(m, Rule) and m.required for m in info.metadata)]


class Schema(BaseModel):
    """A payload's declared shape. Unknown keys are ignored; the parsed model is frozen."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True, hide_input_in_errors=True,
                              json_schema_extra=_json_schema_extra)
    # Fields whose error means the request itself is malformed (``bad_request``), not a field to fix.
    envelope: ClassVar[tuple[str, ...]] = ()
    # For ``bad_request``: the reason given per field (the moderator console shows it).
    reasons: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def fields_of(cls, payload: Any, context: Mapping[str, Any] | None = None
                  ) -> tuple[Self | None, list[InvalidField]]:
        """``(model, [])`` or ``(None, every field's error)``; a payload that is not an object is one
        error, of field ""."""
        try:
            return cls.model_validate(payload, context=context), []
        except ValidationError as problems:
            return None, [_invalid_field(e) for e in problems.errors()]

    @classmethod
    def partial(cls, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The fields that are valid, the others absent: what a list can show of a refused row."""
        refused: set[str] = set()
        values = cls.model_validate(payload, context={_PARTIAL: refused}).model_dump()
        return {name: value for name, value in values.items() if name not in refused}

    @classmethod
    def parse(cls, payload: Any, context: Mapping[str, Any] | None = None) -> Self:
        model, errors = cls.fields_of(payload, context)
        if model is not None:
            return model
        malformed = [e for e in errors if e.field == "" or e.field in cls.envelope]
        if malformed:
            raise Refused("bad_request", malformed, cls.reasons.get(malformed[0].field))
        raise Refused("invalid", errors)


def _invalid_field(error: Mapping[str, Any]) -> InvalidField:
    name = str(error["loc"][0]) if error["loc"] else ""
    code = error["type"] if name else "bad_request"
    if code == "missing":  # only for a field without a default: none here, but never an unknown code
        code = "required"
    return InvalidField(name, code, (error.get("ctx") or {}).get("limit"))

