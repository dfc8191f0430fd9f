"""The cycle collector is paused while imports run and comes back when the last one ends, even on an error."""
from __future__ import annotations

import gc

import pytest

from members.hr_usecases import _collector_paused


def test_the_collector_comes_back_only_when_the_last_import_ends_even_after_an_error():
    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
        with pytest.raises(RuntimeError), _collector_paused():
            raise RuntimeError("a second import failed")
        assert not gc.isenabled()  # the first import still runs
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_stays_off():
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
