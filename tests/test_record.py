"""system/record.py behaves as the `@dataclass(frozen=True)` it replaces on the lean path."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest

from releasekit.system.record import FrozenInstanceError, field, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())
    extra: dict[str, Any] = field(default_factory=dict)
    ORIGIN: ClassVar[str] = "origin"

    @property
    def total(self) -> int:
        return self.x + self.y


@dataclasses.dataclass(frozen=True)
class DataPoint:
    x: int
    y: int = 0
    tags: tuple[str, ...] = dataclasses.field(default=())
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    ORIGIN: ClassVar[str] = "origin"


@record
class Pair:
    a: int
    b: str = ""


@record(frozen=False)
class Bag:
    items: list[str] = field(default_factory=list)


def test_a_record_is_built_read_and_shown_like_the_dataclass() -> None:
    for made in (Point(1), Point(1, 0), Point(x=1), Point(1, y=0, tags=())):
        assert made == Point(1, 0, (), {})
        assert made.total == 1
    assert repr(Point(1, 2, ("a",))) == repr(DataPoint(1, 2, ("a",))).replace("DataPoint", "Point")
    assert Point(1).extra is not Point(1).extra  # a fresh default from the factory
    assert Point(1) != Point(2)
    assert Point(1) != DataPoint(1)  # type: ignore[comparison-overlap]
    assert hash(Pair(1, "a")) == hash(Pair(1, "a")) == hash((1, "a"))
    assert len({Pair(1, "a"), Pair(1, "a"), Pair(2)}) == 2
    assert Point.__match_args__ == ("x", "y", "tags", "extra")
    assert Point.ORIGIN == "origin"


def test_a_frozen_record_refuses_changes_and_a_mutable_one_takes_them() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.y
    bag = Bag()
    bag.items.append("a")
    bag.items = ["b"]
    assert bag == Bag(["b"])
    with pytest.raises(TypeError):
        hash(bag)  # eq without frozen: unhashable, as a dataclass


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((), {}, "missing required argument: 'x'"),
        ((1, 2, (), {}, 5), {}, "takes 4 arguments"),
        ((1,), {"x": 2}, "multiple values for argument 'x'"),
        ((1,), {"z": 2}, "unexpected keyword argument 'z'"),
    ],
)
def test_wrong_arguments_are_a_type_error(
    args: tuple[Any, ...], kwargs: dict[str, Any], words: str
) -> None:
    with pytest.raises(TypeError, match=words):
        Point(*args, **kwargs)


def test_replace_with_and_without_the_dataclasses_module() -> None:
    point = Point(1, 2, ("a",))
    assert replace(point, y=5) == Point(1, 5, ("a",))
    assert dataclasses.replace(point, y=5) == Point(1, 5, ("a",))
    assert dataclasses.is_dataclass(point)
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y", "tags", "extra"]
    assert dataclasses.asdict(point) == {"x": 1, "y": 2, "tags": ("a",), "extra": {}}
    assert replace(DataPoint(1), y=3) == DataPoint(1, 3)  # real dataclasses too
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(point, z=1)
