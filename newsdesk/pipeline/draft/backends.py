"""Drafting backends, registered by name with declared options.

A backend is a class with a `name`, a tuple of `Option`s and a `draft(request)`
method; `@register` adds it. Options arrive as text (from the environment or the
command line) and are checked and converted here, so a third backend is one module
with no parsing of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol, TypeVar

from newsdesk.pipeline.draft.types import Draft, DraftRequest
from newsdesk.pipeline.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Option:
    """One setting a backend takes. `kind` converts the text (str, int or float)."""

    name: str
    help: str
    kind: type = str
    default: object = None
    required: bool = False
    secret: bool = False  # never printed or logged
    minimum: float | None = None
    maximum: float | None = None

    def convert(self, backend: str, raw: str) -> object:
        try:
            value = self.kind(raw.strip())
        except ValueError:
            raise ConfigError(
                f"backend {backend}: option {self.name} must be {self.kind.__name__}, "
                f"not {'(hidden)' if self.secret else repr(raw)}"
            ) from None
        if isinstance(value, int | float) and (
            (self.minimum is not None and value < self.minimum)
            or (self.maximum is not None and value > self.maximum)
        ):
            raise ConfigError(
                f"backend {backend}: option {self.name} must be between "
                f"{self.minimum} and {self.maximum}, not {value}"
            )
        return value


class Backend(Protocol):
    name: ClassVar[str]
    options: ClassVar[tuple[Option, ...]]

    def draft(self, request: DraftRequest) -> Draft: ...


_REGISTRY: dict[str, type[Backend]] = {}
_T = TypeVar("_T", bound=type)


def register(cls: _T) -> _T:
    """Class decorator: make the backend available under its `name`."""
    _REGISTRY[cls.name] = cls  # type: ignore[attr-defined]
    return cls


def backend_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def backend_options(name: str) -> tuple[Option, ...]:
    return _backend_class(name).options


def _backend_class(name: str) -> type[Backend]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"no drafting backend {name!r}: choose one of {', '.join(backend_names())}"
        ) from None


def make_backend(name: str, settings: Mapping[str, str] | None = None) -> Backend:
    """The backend `name` configured from text `settings` (option name -> value).

    Unknown options, missing required ones and values of the wrong type are
    `ConfigError`s naming the option; defaults fill the rest."""
    cls = _backend_class(name)
    settings = dict(settings or {})
    declared = {o.name: o for o in cls.options}
    unknown = sorted(set(settings) - set(declared))
    if unknown:
        raise ConfigError(
            f"backend {name}: unknown option {unknown[0]!r} "
            f"(it takes {', '.join(declared) or 'no options'})"
        )
    values: dict[str, object] = {}
    for option in declared.values():
        raw = settings.get(option.name, "")
        if raw.strip():
            values[option.name] = option.convert(name, raw)
        elif option.required:
            raise ConfigError(f"backend {name}: option {option.name} is required ({option.help})")
        else:
            values[option.name] = option.default
    return cls(**values)
