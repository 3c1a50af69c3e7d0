"""Every audit action the code records reads as a sentence in the log."""

import re
from pathlib import Path

import koepel.platform.app  # noqa: F401 - wires every package, which registers its labels
from koepel.platform.audit.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'record\(\s*"([a-z_]+\.[a-z_.]+)"')


def test_every_recorded_action_has_a_label():
    recorded = {
        action
        for folder in ("platform", "tenants", "services")
        for path in (ROOT / folder).rglob("*.py")
        for action in RECORDED.findall(path.read_text(encoding="utf-8"))
    }
    assert recorded, "no record(...) calls found: the pattern is out of date"
    missing = sorted(recorded - set(ACTION_LABELS))
    assert not missing, f"add labels to platform/audit/labels.py for: {missing}"
