"""Seeded form assembly: which items a candidate gets, in which order, options in which order.

A form depends only on (session seed, candidate key, blueprint, pools), so it
can be drawn again anywhere and give the same result; it is still drawn once
and stored with the attempt. The random generator is seeded from a SHA-256
digest, never from Python's per-process string hash.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exam_server.domain.blueprint import Blueprint


@dataclass(frozen=True)
class PoolItem:
    """An item that a section may draw, with what assembly needs to know about its options."""

    item_id: int
    option_count: int
    fixed: tuple[bool, ...] = ()  # per original option, True = stays in place; () = none fixed
    shuffle_options: bool = True

    def __post_init__(self) -> None:
        if self.fixed and len(self.fixed) != self.option_count:
            raise ValueError(f"item {self.item_id}: {len(self.fixed)} fixed flags "
                             f"for {self.option_count} options")


@dataclass(frozen=True)
class FormEntry:
    """One position of a candidate's form."""

    position: int  # 1-based, over the whole form
    section: int  # index into blueprint.sections
    item_id: int
    option_order: tuple[int, ...]  # display index -> original option index


def candidate_rng(seed: int | str, candidate_key: str) -> random.Random:
    """A generator that depends only on the seed and the candidate, in any process."""
    digest = hashlib.sha256(f"{seed}\x1f{candidate_key}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def assemble_form(blueprint: Blueprint, pools: Sequence[Sequence[PoolItem]],
                  seed: int | str, candidate_key: str) -> tuple[FormEntry, ...]:
    """Draw a candidate's form: ``count`` distinct items per section, in section order.

    ``pools[i]`` holds the eligible items of section i. Pools may overlap (two
    sections on the same bank); an item id is still drawn at most once per form.
    Sections with the smallest pools draw first, so a section on a whole bank
    cannot take the items that a section on one of its categories needs.
    """
    if len(pools) != len(blueprint.sections):
        raise ValueError(f"{len(pools)} pools for {len(blueprint.sections)} sections")
    rng = candidate_rng(seed, candidate_key)
    drawn = _draw_items(blueprint, pools, rng)
    entries: list[FormEntry] = []
    for index, items in enumerate(drawn):
        for item in items:
            order = _option_order(item, blueprint.shuffle_options, rng)
            entries.append(FormEntry(len(entries) + 1, index, item.item_id, order))
    return tuple(entries)


def _draw_items(blueprint: Blueprint, pools: Sequence[Sequence[PoolItem]],
                rng: random.Random) -> list[list[PoolItem]]:
    """The items of each section, in display order."""
    used: set[int] = set()
    drawn: list[list[PoolItem]] = [[] for _ in pools]
    for index in sorted(range(len(pools)), key=lambda i: (len(pools[i]), i)):
        section = blueprint.sections[index]
        free = _unused(pools[index], used)
        if len(free) < section.count:
            raise ValueError(f'section "{section.name}" needs {section.count} items, '
                             f"its pool has {len(free)} left")
        picks = rng.sample(range(len(free)), section.count)  # in random order
        if not blueprint.shuffle_items:
            picks.sort()
        drawn[index] = [free[pick] for pick in picks]
        used.update(item.item_id for item in drawn[index])
    return drawn


def _unused(pool: Sequence[PoolItem], used: set[int]) -> list[PoolItem]:
    """The pool in its own order, without items already drawn and without repeats."""
    seen = set(used)
    free = []
    for item in pool:
        if item.item_id not in seen:
            seen.add(item.item_id)
            free.append(item)
    return free


def _option_order(item: PoolItem, shuffle: bool, rng: random.Random) -> tuple[int, ...]:
    """Display index -> original index; fixed options keep their own index."""
    order = list(range(item.option_count))
    if not (shuffle and item.shuffle_options):
        return tuple(order)
    movable = [i for i in order if not (item.fixed and item.fixed[i])]
    shuffled = movable[:]
    rng.shuffle(shuffled)
    for slot, original in zip(movable, shuffled):
        order[slot] = original
    return tuple(order)


def form_to_json(entries: Sequence[FormEntry]) -> list[dict[str, Any]]:
    """A JSON-safe list for storing a form with its attempt."""
    return [
        {"position": e.position, "section": e.section, "item_id": e.item_id,
         "option_order": list(e.option_order)}
        for e in entries
    ]


def form_from_json(data: Sequence[dict[str, Any]]) -> tuple[FormEntry, ...]:
    """The inverse of ``form_to_json``."""
    return tuple(
        FormEntry(int(d["position"]), int(d["section"]), int(d["item_id"]),
                  tuple(int(i) for i in d["option_order"]))
        for d in data
    )
