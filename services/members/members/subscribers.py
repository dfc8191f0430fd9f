"""Durable consumers of the members service: members-hr-v1 (hr.employee.changed, see hr_subscribers.py)."""
from __future__ import annotations

from collections.abc import Callable

from members.hr_subscribers import HR, hr_handler
from shared.service import Runtime
from shared.subjects import ConsumerSpec

CONSUMERS: list[tuple[ConsumerSpec, Callable[[Runtime], object]]] = [(HR, hr_handler)]
