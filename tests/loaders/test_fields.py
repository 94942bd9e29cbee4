"""loaders/fields.py: the converters both load paths (bulk and MERGE) share, so a value
either path would store differently is refused by both (issue 12.9)."""
from __future__ import annotations

import pytest

from casegraph.loaders import fields


@pytest.mark.parametrize("raw, stored", [("12", 12), (" -7 ", -7), ("1e3", 1000), (4.0, 4),
                                         ("9223372036854775807", 2 ** 63 - 1), ("-9223372036854775808", -2 ** 63),
                                         ("9007199254740993", 9007199254740993)])     # exact, not via a float
def test_whole_numbers_within_64_bits_are_stored_exactly(raw, stored):
    assert fields.integer()(raw) == stored


@pytest.mark.parametrize("raw, says", [("9223372036854775808", "outside the range of a 64-bit integer"),
                                       (2 ** 70, "outside the range of a 64-bit integer"),
                                       ("1e400", "not a whole number"), ("1.5", "not a whole number"),
                                       (True, "not a whole number")])
def test_integers_out_of_range_or_not_whole_are_refused(raw, says):
    with pytest.raises(ValueError, match=says):
        fields.integer()(raw)


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "nan", "inf", float("inf"), 10 ** 400])
def test_numbers_must_be_finite(raw):
    with pytest.raises(ValueError, match="not a finite number"):
        fields.number()(raw)


def test_a_scale_that_would_overflow_a_number_is_refused():
    assert fields.number(scale=0.01)("1e308") == 1e306
    with pytest.raises(ValueError, match="not a finite number"):
        fields.number(scale=100)("1e308")


@pytest.mark.parametrize("raw", ["99999999999999999999", "999999999999999", 10 ** 30, 1e16])
def test_epoch_times_past_the_year_9999_are_refused_by_name(raw):
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        fields.time()(raw)


def test_the_start_of_year_10000_ends_a_period_but_is_no_stored_time():
    from casegraph import times
    assert times.to_epoch_ms("253402300800000") == times.BOUND_MS_MAX        # evidence's "whole history"
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        fields.time()("253402300800000")


def test_epoch_digits_are_read_exactly():
    assert fields.time()("253402300799999") == 253402300799999          # the last ms of 9999
    assert fields.time()("-62135596800") == -62135596800000             # 0001-01-01 in seconds


def test_a_text_longer_than_the_limit_is_refused_and_not_quoted_whole():
    with pytest.raises(ValueError) as e:
        fields.string()("x" * (fields.TEXT_MAX + 1))
    assert "longer than" in str(e.value) and len(str(e.value)) < 200
    assert fields.string()("x" * fields.TEXT_MAX) == "x" * fields.TEXT_MAX
