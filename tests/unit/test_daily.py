"""Task functions of the daily DAG that need no server."""

from __future__ import annotations

import pytest

from webstat.errors import BadDataError
from webstat.tasks.daily import check_reject_share


def test_the_reject_gate_passes_at_the_threshold_and_fails_above_it():
    check_reject_share(5, 100, 5.0)  # exactly 5 %: passes
    check_reject_share(0, 0, 5.0)  # nothing to load: passes
    with pytest.raises(BadDataError, match=r"6 of 100 lines \(6.0 %\) were rejected"):
        check_reject_share(6, 100, 5.0)


def test_period_params_are_validated():
    from datetime import date

    from webstat.tasks.period import parse_period

    assert parse_period("2026-11-01", "2026-11-30") == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period("2026-11-05", "2026-11-05") == (date(2026, 11, 5), date(2026, 11, 5))
    with pytest.raises(BadDataError, match="end 2026-11-01 is before start 2026-11-30"):
        parse_period("2026-11-30", "2026-11-01")
    with pytest.raises(BadDataError, match="dates must be YYYY-MM-DD"):
        parse_period("last week", "2026-11-01")
