"""The README's event catalogue lists every event in shared/events.py."""
from pathlib import Path

from shared.events import CATALOGUE

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readme_event_table_lists_every_subject_with_its_version():
    for subject, model in CATALOGUE.items():
        version = model.model_fields["schema_version"].default
        assert f"| `{subject}` | {model.__name__} (v{version}) |" in README, subject


def test_the_readme_starts_with_the_two_commands():
    head = README[:400]
    assert "make run" in head and "make test" in head
