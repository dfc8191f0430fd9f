"""The event catalogue is a contract: a schema change needs a version bump.

Each event's JSON schema is snapshotted per (subject, schema_version) under
snapshots/. If a model's schema differs from the snapshot of its current
version, this fails: bump ``schema_version`` (and keep reading the old one)
or revert. To record a NEW version: ``CHIBO_RECORD_CONTRACTS=1 make test``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.events import CATALOGUE, Event
from shared.subjects import stream_for

SNAPSHOTS = Path(__file__).parent / "snapshots"


def schema_of(model: type[Event]) -> dict:
    return model.model_json_schema(mode="serialization")


def snapshot_path(subject: str, version: int) -> Path:
    return SNAPSHOTS / f"{subject}.v{version}.json"


@pytest.mark.parametrize("subject", sorted(CATALOGUE))
def test_event_schema_matches_the_snapshot_of_its_version(subject):
    model = CATALOGUE[subject]
    version = model.model_fields["schema_version"].default
    path = snapshot_path(subject, version)
    current = schema_of(model)
    if not path.exists():
        if os.environ.get("CHIBO_RECORD_CONTRACTS") == "1":
            path.write_text(json.dumps(current, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        pytest.fail(f"no snapshot for {subject} v{version}: record it with CHIBO_RECORD_CONTRACTS=1")
    assert json.loads(path.read_text()) == current, (
        f"{subject} changed its schema without a version bump (schema_version={version})")


@pytest.mark.parametrize("subject", sorted(CATALOGUE))
def test_events_are_frozen_past_tense_and_published_into_their_owners_stream(subject):
    model = CATALOGUE[subject]
    assert model.model_config.get("frozen") is True
    assert model.subject == subject
    assert subject.split(".")[0] == stream_for(subject).owner  # published into its owner's stream
    name = model.__name__
    assert name.endswith("ed"), f"{name}: events are named in the past tense"


def test_every_snapshot_belongs_to_a_known_event_version():
    known = {snapshot_path(s, m.model_fields["schema_version"].default).name for s, m in CATALOGUE.items()}
    stale = {p.name for p in SNAPSHOTS.glob("*.json")} - known
    # older versions stay (consumers may still read them) only if the model keeps accepting them
    assert not {n for n in stale if n.rsplit(".v", 1)[0] not in CATALOGUE}, stale


def test_a_changed_schema_without_a_version_bump_is_detected(tmp_path):
    from pydantic import create_model

    from shared.events import OrganizationCreated
    changed = create_model("OrganizationCreated", __base__=OrganizationCreated, extra_field=(int, 0))
    assert schema_of(changed) != json.loads(snapshot_path(OrganizationCreated.subject, 1).read_text())
