"""Durable consumers of the members service. None yet: inbound HR data comes
with a later issue (it will use ConsumerSpec("members-hr-import-v1", ...) and
the inbox table already in the schema)."""
from __future__ import annotations

from collections.abc import Callable

from shared.service import Runtime
from shared.subjects import ConsumerSpec

CONSUMERS: list[tuple[ConsumerSpec, Callable[[Runtime], object]]] = []
