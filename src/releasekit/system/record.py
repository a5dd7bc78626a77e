"""Value classes like `@dataclass(frozen=True)`, at a fraction of the start-up cost.

`dataclasses` loads `inspect` (with `ast`, `dis`, `tokenize`) and compiles six methods per
class with `exec`: about half of what `releasekit bump` spent before doing anything. A
record gets the same methods as closures instead: `__init__` (positional or by name,
defaults, `field(default_factory=...)`), `__repr__`, `__eq__`, `__hash__` and, frozen,
refusals to assign. `dataclasses.replace`, `fields` and `asdict` still work on records
(their `__dataclass_fields__` is made, by dataclasses itself, the first time it is asked
for); `replace` here does the same without loading dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # not typing's: that module alone costs what a dozen records save
if TYPE_CHECKING:
    from typing import Any, TypeVar, dataclass_transform

    T = TypeVar("T")
else:

    def dataclass_transform(**_kwargs: object) -> Callable[[object], object]:
        return lambda decorated: decorated


_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (as dataclasses.FrozenInstanceError)."""


class _Field:
    __slots__ = ("default", "factory")

    def __init__(self, default: Any, factory: Callable[[], Any] | None) -> None:
        self.default = default
        self.factory = factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None) -> Any:
    """A field's default, or the factory that makes a fresh one for every record."""
    return _Field(default, default_factory)


class _DataclassFields:
    """`__dataclass_fields__`, made when dataclasses' own functions first ask for it."""

    def __get__(self, _obj: object, owner: type) -> dict[str, Any]:
        cached = owner.__dict__.get("_record_dataclass_fields")
        if cached is None:
            import dataclasses

            names = owner.__record_fields__  # type: ignore[attr-defined]
            spec: dict[str, Any] = {"__annotations__": dict.fromkeys(names, "object")}
            for name, (default, factory) in owner.__record_defaults__.items():  # type: ignore[attr-defined]
                spec[name] = dataclasses.field(default_factory=factory) if factory else default
            shadow: Any = dataclasses.dataclass(type(owner.__name__, (), spec))
            cached = dict(shadow.__dataclass_fields__)
            type.__setattr__(owner, "_record_dataclass_fields", cached)
        return cached


def _fields_of(cls: type) -> tuple[list[str], dict[str, tuple[Any, Callable[[], Any] | None]]]:
    names: list[str] = []
    defaults: dict[str, tuple[Any, Callable[[], Any] | None]] = {}
    for base in reversed(cls.__mro__[1:]):
        for name in getattr(base, "__record_fields__", ()):
            if name not in names:
                names.append(name)
        defaults.update(getattr(base, "__record_defaults__", {}))
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (inspect is what we avoid)
    for name, kind in own.items():
        if str(kind).startswith(("ClassVar", "typing.ClassVar")):
            continue
        if name not in names:
            names.append(name)
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, _Field):
            defaults[name] = (value.default, value.factory)
            if value.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, value.default)
        elif value is not _MISSING:
            defaults[name] = (value, None)
    return names, defaults


def _build(cls: type[T], frozen: bool) -> type[T]:
    names, defaults = _fields_of(cls)
    count = len(names)
    known = frozenset(names)
    qualname = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        values = self.__dict__
        if len(args) == count and not kwargs:
            values.update(zip(names, args, strict=True))
            return
        if len(args) > count:
            raise TypeError(f"{qualname}() takes {count} arguments, {len(args)} given")
        for name in kwargs:
            if name not in known:
                raise TypeError(f"{qualname}() got an unexpected keyword argument {name!r}")
        for index, name in enumerate(names):
            if index < len(args):
                if name in kwargs:
                    raise TypeError(f"{qualname}() got multiple values for argument {name!r}")
                values[name] = args[index]
            elif name in kwargs:
                values[name] = kwargs[name]
            elif name in defaults:
                default, factory = defaults[name]
                values[name] = factory() if factory is not None else default
            else:
                raise TypeError(f"{qualname}() missing required argument: {name!r}")

    def _values(self: Any) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in names)

    def __repr__(self: Any) -> str:
        shown = ", ".join(
            f"{name}={value!r}" for name, value in zip(names, _values(self), strict=True)
        )
        return f"{qualname}({shown})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    members: dict[str, Any] = {
        "__init__": __init__,
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__match_args__": tuple(names),
        "__record_fields__": tuple(names),
        "__record_defaults__": defaults,
        "__dataclass_fields__": _DataclassFields(),
        "__hash__": None,  # eq without frozen: unhashable, as a dataclass
    }
    if frozen:

        def __setattr__(self: Any, name: str, value: Any) -> None:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self: Any, name: str) -> None:
            raise FrozenInstanceError(f"cannot delete field {name!r}")

        def __hash__(self: Any) -> int:
            return hash(_values(self))

        members.update(__setattr__=__setattr__, __delattr__=__delattr__, __hash__=__hash__)
    for name, member in members.items():
        setattr(cls, name, member)
    return cls


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any:
    """`@record` for `@dataclass(frozen=True)`, `@record(frozen=False)` for `@dataclass`."""
    if cls is None:
        return lambda decorated: _build(decorated, frozen)
    return _build(cls, frozen)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record with `changes` (dataclasses.replace, without dataclasses)."""
    fields = getattr(type(obj), "__record_fields__", None)
    if fields is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    values = {name: obj.__dict__[name] for name in fields}
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(obj)(**values)
