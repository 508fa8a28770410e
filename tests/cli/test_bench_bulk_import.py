"""The bulk-import benchmark's machinery on a tiny data set (its figures are not checked)."""

from __future__ import annotations

from callguard_tools.bench.bulk_import import measure, synthetic_numbers


def test_every_contender_stores_every_number() -> None:
    figures = measure(60)

    assert (figures.import_items, figures.batched_items, figures.baseline_items) == (60, 60, 60)
    assert figures.bulk.client_cpu > 0
    assert figures.batched.client_cpu > 0
    assert figures.baseline.client_cpu > 0


def test_synthetic_numbers_are_distinct_e164() -> None:
    numbers = synthetic_numbers(20_000)

    assert len(set(numbers)) == 20_000
    assert all(n.startswith("+1202") and len(n) == 12 and n[1:].isdigit() for n in numbers)
