"""Query parameters of the listing endpoints as django-ninja models, generated from the one
declarative table of ``listings.validation`` (name, parser, description, JSON schema).

The generated model is both the OpenAPI declaration and the validator: its one validator runs
the table's parsers over the request's whole query string, because the API's contract needs
what per-field validation cannot give: unknown parameters are refused (``minPrice[$ne]``),
repeated and comma-separated values, empty values meaning "not given", and rules across
fields (min <= max, ``radius`` needs ``near``). Errors raise ``InvalidParameters``, answered
as the API's 400 error shape.

On a request ninja does not run that validator through its generic query resolution (the query
string copied into a dict, mapped onto every declared field, a pydantic validation, a model
built field by field: ~0.15 ms, a tenth of a search): ``all_params()`` arguments are resolved
by ``RequestQueryModel``, which builds each model straight from the request with the same
parser (``from_request``). The declarations, and so the OpenAPI document, are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol

from django import forms
from django.http import HttpRequest
from ninja import Schema
from ninja.params.models import Query, QueryModel
from pydantic import (
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    model_validator,
)

from api.errors import InvalidParameters

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ParamSpec(Protocol):
    """One row of a parameter table (``listings.validation.Param``)."""

    name: str
    description: str
    schema: Mapping[str, Any]
    many: bool


Parse = Callable[[Mapping[str, Sequence[str]], Sequence[Any]], dict[str, Any]]


class QueryParams(Schema):
    """Base of the generated models; ``values`` holds the parsed values by parameter name."""

    model_config = ConfigDict(extra="ignore")
    params_table: ClassVar[tuple[Any, ...]] = ()
    parse: ClassVar[Parse]
    required_params: ClassVar[tuple[str, ...]] = ()
    _parsed: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _parse(cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        request = (info.context or {}).get("request")
        if request is not None:
            return cls.from_request(request)
        # built in code (tests, the chat tool): validate what was given
        return cls._parsed_from({k: v if isinstance(v, list) else [str(v)] for k, v in (data or {}).items()})

    @classmethod
    def from_request(cls, request: HttpRequest) -> QueryParams:
        """The request's whole query string, parsed by the table (``InvalidParameters`` if any
        value is refused or a required one is missing)."""
        return cls._parsed_from({k: request.GET.getlist(k) for k in request.GET})

    @classmethod
    def _parsed_from(cls, raw: dict[str, list[str]]) -> QueryParams:
        values = cls.parse(raw, cls.params_table)
        missing = {n: "required" for n in cls.required_params if n not in values}
        if missing:
            raise InvalidParameters(missing)
        instance = _blank(cls)
        instance._parsed = values
        return instance

    @property
    def values(self) -> dict[str, Any]:
        return self._parsed


_blanks: dict[type[Schema], Schema] = {}


def _blank(cls: type[Any]) -> Any:
    """A new instance of a generated model without running pydantic per field: its declared
    fields only document parameters (always None), so a copy of one blank instance does
    (4 µs instead of model_construct's 22 for the search's 30 fields)."""
    blank = _blanks.get(cls)
    if blank is None:
        blank = _blanks[cls] = cls.model_construct()
    return blank.__copy__()


def _field(p: ParamSpec, required: bool) -> Any:
    schema: dict[str, Any] = dict(p.schema)
    if p.many:
        schema = {"type": "array", "items": schema}
    return (
        Annotated[Any, WithJsonSchema(schema)],
        Field(... if required else None, description=p.description),
    )


def query_model(
    name: str, params: Sequence[ParamSpec], *, parse: Parse, required: Sequence[str] = ()
) -> type[QueryParams]:
    """A ninja query model of these parameters, validated by ``parse`` (raw values by name,
    the table -> parsed values, or ``InvalidParameters``); ``required`` ones must be given."""
    fields = {p.name: _field(p, p.name in required) for p in params}
    model = create_model(name, __base__=QueryParams, **fields)  # type: ignore[call-overload]
    model.params_table = tuple(params)
    model.parse = staticmethod(parse)  # type: ignore[assignment]
    model.required_params = tuple(required)
    return model


class RequestQueryModel(QueryModel):
    """ninja's model of an operation's ``all_params()`` arguments: each is built from the
    request by its own model's ``from_request`` (the same parser its validator runs), skipping
    ninja's generic mapping and validation of every declared field."""

    @classmethod
    def resolve(cls, request: HttpRequest, api: NinjaAPI, path_params: dict[str, Any]) -> Any:
        return cls.model_construct(
            **{name: field.annotation.from_request(request) for name, field in cls.model_fields.items()}  # type: ignore[union-attr]
        )


class AllParams(Query):  # type: ignore[misc]
    """``Query`` resolved by ``RequestQueryModel`` (documented as query parameters)."""

    _model = RequestQueryModel

    @classmethod
    def _param_source(cls) -> str:
        return "query"


def all_params() -> Any:
    """The default of a query-model argument: ``params: SearchParams = all_params()``. Its
    model reads the whole query string on every request, even one that names none of the
    model's parameters (``?bogus=1`` must still be refused)."""
    return AllParams({}, validate_default=True)


class FormParams(Schema):
    """Base of query models generated from a Django form (``form_query_model``)."""

    model_config = ConfigDict(extra="ignore")
    form_class: ClassVar[type[forms.Form]]
    _form: forms.Form | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        request = (info.context or {}).get("request")
        return cls._validated(request.GET if request is not None else (data or {}))

    @classmethod
    def from_request(cls, request: HttpRequest) -> FormParams:
        return cls._validated(request.GET)

    @classmethod
    def _validated(cls, data: Any) -> FormParams:
        form = cls.form_class(data)
        if not form.is_valid():
            raise _form_errors(form)
        instance = _blank(cls)
        instance._form = form
        return instance

    @property
    def form(self) -> forms.Form:
        assert self._form is not None
        return self._form


def _choices(field: forms.ChoiceField) -> list[str]:
    return [str(k) for k, _ in field.choices]  # type: ignore[misc, union-attr]


def _form_field_schema(field: forms.Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if isinstance(field, forms.MultipleChoiceField):
        schema = {"type": "array", "items": {"type": "string", "enum": _choices(field)}}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": _choices(field)}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.IntegerField):
        # DecimalField and FloatField are IntegerFields in Django
        whole = not isinstance(field, forms.DecimalField | forms.FloatField)
        schema = {"type": "integer" if whole else "number"}
        for attr, key in (("min_value", "minimum"), ("max_value", "maximum")):
            if getattr(field, attr, None) is not None:
                schema[key] = getattr(field, attr)
    elif isinstance(field, forms.SlugField):
        schema = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
    else:
        schema = {"type": "string"}
        max_length = getattr(field, "max_length", None)
        if max_length:
            schema["maxLength"] = max_length
    return schema


def _form_fields(form_class: type[forms.Form]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field_name, field in form_class.base_fields.items():
        description = str(field.help_text or field.label or "")
        fields[field_name] = (
            Annotated[Any, WithJsonSchema(_form_field_schema(field))],
            Field(None, description=description or None),
        )
    return fields


def _form_errors(form: forms.Form) -> InvalidParameters:
    fields = {name: " ".join(str(m) for m in msgs) for name, msgs in form.errors.items()}
    return InvalidParameters({("body" if k == "__all__" else k): v for k, v in fields.items()})


class FormBody(Schema):
    """Base of JSON bodies declared by a Django form (``form_body_model``): the form validates
    the object's values, so a page's form and the API take the same input by the same rules."""

    model_config = ConfigDict(extra="forbid")
    form_class: ClassVar[type[forms.Form]]
    _form: forms.Form | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _validate(cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            raise InvalidParameters({"body": "must be a JSON object"})
        unknown = {str(k)[:60]: "unknown field" for k in data if k not in cls.form_class.base_fields}
        if unknown:
            raise InvalidParameters(unknown)
        values = {k: _form_value(v) for k, v in data.items()}
        bad = {str(k)[:60]: "must be a string, number or boolean" for k, v in values.items() if v is None}
        if bad:
            raise InvalidParameters(bad)
        form = cls.form_class(values)
        if not form.is_valid():
            raise _form_errors(form)
        instance = cls.model_construct()
        instance._form = form
        return instance

    @property
    def form(self) -> forms.Form:
        assert self._form is not None
        return self._form


def _form_value(value: Any) -> str | None:
    """A JSON value as the form reads it (``None`` for objects and arrays: refused)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def form_body_model(name: str, form_class: type[forms.Form]) -> type[FormBody]:
    """A ninja body model declaring a Django form's fields as a JSON object."""
    model = create_model(name, __base__=FormBody, **_form_fields(form_class))  # type: ignore[call-overload]
    model.form_class = form_class
    return model


def form_query_model(name: str, form_class: type[forms.Form]) -> type[FormParams]:
    """A ninja query model declaring a Django form's fields (the form validates them, so a
    page and the API share one set of rules)."""
    model = create_model(name, __base__=FormParams, **_form_fields(form_class))  # type: ignore[call-overload]
    model.form_class = form_class
    return model
