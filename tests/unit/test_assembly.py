"""Form assembly: a valid, reproducible draw per candidate, different between candidates."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_server.domain.assembly import (
    FormEntry,
    PoolItem,
    assemble_form,
    form_from_json,
    form_to_json,
)
from exam_server.domain.blueprint import Blueprint, Section

ROOT = Path(__file__).resolve().parents[2]


def blueprint_of(*counts: int, shuffle_items: bool = True, shuffle_options: bool = True) -> Blueprint:
    sections = tuple(Section(f"S{i}", f"bank{i}", None, count, "weighted") for i, count in enumerate(counts))
    return Blueprint("C", "T", Decimal(60), shuffle_items=shuffle_items,
                     shuffle_options=shuffle_options, sections=sections)


def pool(first_id: int, size: int, options: int = 4) -> list[PoolItem]:
    return [PoolItem(first_id + i, options, (False,) * options) for i in range(size)]


@st.composite
def pool_items(draw, first_id: int, size: int) -> list[PoolItem]:
    items = []
    for item_id in range(first_id, first_id + size):
        options = draw(st.integers(min_value=2, max_value=6))
        fixed = tuple(draw(st.lists(st.booleans(), min_size=options, max_size=options)))
        items.append(PoolItem(item_id, options, fixed, draw(st.booleans())))
    return items


@st.composite
def exams(draw) -> tuple[Blueprint, list[list[PoolItem]]]:
    """A blueprint and its pools; some sections share one pool, as sections on one bank do."""
    counts = draw(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=4))
    shared = draw(st.booleans()) and len(counts) > 1
    if shared:  # every section draws from one common pool
        common = draw(pool_items(1, sum(counts) + draw(st.integers(0, 5))))
        pools = [common] * len(counts)
    else:
        pools = [draw(pool_items(100 * (i + 1), c + draw(st.integers(0, 5)))) for i, c in enumerate(counts)]
    blueprint = blueprint_of(*counts, shuffle_items=draw(st.booleans()),
                             shuffle_options=draw(st.booleans()))
    return blueprint, pools


def assert_valid_form(blueprint: Blueprint, pools, form: tuple[FormEntry, ...]) -> None:
    """Positions run 1..n in section order; each section holds count distinct pool items."""
    assert [entry.position for entry in form] == list(range(1, blueprint.item_count + 1))
    assert [entry.section for entry in form] == sorted(entry.section for entry in form)
    assert len({entry.item_id for entry in form}) == len(form)
    for index, section in enumerate(blueprint.sections):
        by_id = {item.item_id: item for item in pools[index]}
        entries = [entry for entry in form if entry.section == index]
        assert len(entries) == section.count
        assert entries[0].position == blueprint.first_positions[index]
        for entry in entries:
            assert_valid_option_order(by_id[entry.item_id], entry.option_order)


def assert_valid_option_order(item: PoolItem, order: tuple[int, ...]) -> None:
    assert sorted(order) == list(range(item.option_count))
    for index, fixed in enumerate(item.fixed):
        if fixed:
            assert order[index] == index


@given(exams(), st.integers(), st.text(max_size=8))
def test_a_form_is_a_valid_draw_from_the_pools(exam, seed, candidate):
    blueprint, pools = exam
    assert_valid_form(blueprint, pools, assemble_form(blueprint, pools, seed, candidate))


@given(exams(), st.one_of(st.integers(), st.text(max_size=8)), st.text(max_size=8))
def test_the_same_seed_and_candidate_give_the_same_form(exam, seed, candidate):
    blueprint, pools = exam
    first = assemble_form(blueprint, pools, seed, candidate)
    assert assemble_form(blueprint, pools, seed, candidate) == first


@given(exams(), st.integers())
def test_without_item_shuffling_drawn_items_keep_their_pool_order(exam, seed):
    blueprint, pools = exam
    blueprint = blueprint_of(*(s.count for s in blueprint.sections), shuffle_items=False)
    form = assemble_form(blueprint, pools, seed, "P-001")
    for index in range(len(blueprint.sections)):
        order = [item.item_id for item in pools[index]]
        drawn = [order.index(e.item_id) for e in form if e.section == index]
        assert drawn == sorted(drawn)


@given(exams(), st.integers())
def test_options_keep_their_order_when_shuffling_is_off(exam, seed):
    blueprint, pools = exam
    blueprint = blueprint_of(*(s.count for s in blueprint.sections), shuffle_options=False)
    for entry in assemble_form(blueprint, pools, seed, "P-001"):
        assert entry.option_order == tuple(range(len(entry.option_order)))


def test_an_item_that_forbids_option_shuffling_keeps_its_order():
    items = [PoolItem(i, 5, (False,) * 5, shuffle_options=False) for i in range(10)]
    form = assemble_form(blueprint_of(10), [items], 7, "P-001")
    assert all(entry.option_order == (0, 1, 2, 3, 4) for entry in form)


def test_neighbouring_candidates_get_different_orders():
    blueprint, pools = blueprint_of(10, 10), [pool(1, 30), pool(100, 30)]
    forms = [assemble_form(blueprint, pools, 2026, f"P-{n:04d}") for n in range(50)]
    item_orders = Counter(tuple(e.item_id for e in form) for form in forms)
    option_orders = Counter(tuple(e.option_order for e in form) for form in forms)
    assert len(item_orders) == 50 and len(option_orders) == 50


def test_other_seeds_give_other_forms():
    blueprint, pools = blueprint_of(10), [pool(1, 30)]
    forms = {tuple(assemble_form(blueprint, pools, seed, "P-0001")) for seed in range(20)}
    assert len(forms) == 20


def test_a_whole_pool_is_drawn_when_the_count_equals_its_size():
    blueprint, pools = blueprint_of(6), [pool(1, 6)]
    form = assemble_form(blueprint, pools, 1, "P-1")
    assert sorted(entry.item_id for entry in form) == [1, 2, 3, 4, 5, 6]


def test_fixed_options_stay_in_place_and_the_others_move():
    item = PoolItem(1, 5, (False, False, False, False, True))  # "all of the above" last
    orders = {assemble_form(blueprint_of(1), [[item]], 0, f"P-{n}")[0].option_order for n in range(40)}
    assert all(order[4] == 4 for order in orders)
    assert len(orders) > 1


def test_sections_on_one_bank_never_repeat_an_item():
    shared = pool(1, 12)
    blueprint = blueprint_of(5, 7)
    for n in range(30):
        form = assemble_form(blueprint, [shared, shared], 3, f"P-{n}")
        assert sorted(entry.item_id for entry in form) == list(range(1, 13))


def test_a_whole_bank_section_leaves_a_category_section_enough_items():
    category = pool(1, 5)  # a category of the bank
    whole_bank = category + pool(6, 5)
    blueprint = blueprint_of(5, 5)  # the whole-bank section comes second, or first:
    for pools in ([whole_bank, category], [category, whole_bank]):
        form = assemble_form(blueprint, pools, 9, "P-1")
        assert len({entry.item_id for entry in form}) == 10


def test_a_pool_too_small_is_refused():
    with pytest.raises(ValueError, match="needs 5 items"):
        assemble_form(blueprint_of(5), [pool(1, 4)], 1, "P-1")
    with pytest.raises(ValueError, match="pools for"):
        assemble_form(blueprint_of(5), [], 1, "P-1")


def test_fixed_flags_must_match_the_options():
    with pytest.raises(ValueError):
        PoolItem(1, 4, (True, False))
    assert PoolItem(1, 4).fixed == ()


def test_a_stored_form_reads_back_the_same():
    form = assemble_form(blueprint_of(3, 2), [pool(1, 5), pool(10, 5)], "seed", "P-1")
    assert form_from_json(json.loads(json.dumps(form_to_json(form)))) == form


def test_forms_do_not_depend_on_the_process_that_draws_them():
    blueprint, pools = blueprint_of(4, 3), [pool(1, 9), pool(20, 9)]
    script = (
        "import json, sys\n"
        "from exam_server.domain.assembly import PoolItem, assemble_form, form_to_json\n"
        "from exam_server.domain.blueprint import Blueprint\n"
        "blueprint = Blueprint.from_dict(json.loads(sys.argv[1]))\n"
        "pools = [[PoolItem(i, 4) for i in ids] for ids in json.loads(sys.argv[2])]\n"
        "print(json.dumps(form_to_json(assemble_form(blueprint, pools, 'seed', 'P-7'))))\n"
    )
    ids = json.dumps([[item.item_id for item in items] for items in pools])
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script, json.dumps(blueprint.to_dict()), ids],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert form_from_json(json.loads(out)) == assemble_form(blueprint, pools, "seed", "P-7")
