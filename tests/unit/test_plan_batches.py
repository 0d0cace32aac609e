"""The render batches of a run: few enough tasks, each slot as busy as the other."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from webstat.tasks.publish_sessions import plan_batches


def test_equal_sessions_alternate_between_the_two_slots():
    # largest first (ties in id order) into the lightest batch (ties: the earlier one)
    assert plan_batches({"a": 100, "b": 100, "c": 100}) == [["a", "c"], ["b"]]


def test_one_large_session_gets_a_slot_of_its_own():
    # 1,000 rows against four of 100: the big one alone, the four together (400),
    # where batches of consecutive ids put all five in one task and left a slot idle
    weights = {"big": 1000, "s1": 100, "s2": 100, "s3": 100, "s4": 100}
    assert plan_batches(weights) == [["big"], ["s1", "s2", "s3", "s4"]]


def test_batch_size_caps_a_batch_and_the_count_is_a_multiple_of_the_slots():
    # 5 sessions, at most 2 a batch, 2 slots: ceil(5 / 4) = 2 rounds -> 4 batches
    weights = dict.fromkeys("abcde", 10)
    assert plan_batches(weights, slots=2, batch_size=2) == [["a", "e"], ["b"], ["c"], ["d"]]


def test_nothing_and_one():
    assert plan_batches({}) == []
    assert plan_batches({"only": 5}) == [["only"]]


@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 10_000), max_size=60),
    st.integers(1, 4),
    st.integers(1, 25),
)
def test_every_session_once_in_a_bounded_batch(weights, slots, size):
    batches = plan_batches(weights, slots=slots, batch_size=size)
    flat = [sid for batch in batches for sid in batch]
    assert sorted(flat) == sorted(weights)
    assert all(0 < len(batch) <= size for batch in batches)
    rounds = -(-len(weights) // (slots * size))
    assert len(batches) == min(len(weights), slots * rounds)
