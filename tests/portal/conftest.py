"""The cases tests' fixtures: default lookups, case receivers, `committed`."""

from tests.cases.conftest import _case_receivers_connected, _default_lookups, committed

__all__ = ["_case_receivers_connected", "_default_lookups", "committed"]
