"""What demo customers say, read from interactions.txt: prose is easier to write, review and
extend there than in Python strings, and later text analysis (sentiment, themes) needs texts
that differ by topic the way real ones do."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from pathlib import Path

from manyi.customers.choices import InteractionKind

_SOURCE = Path(__file__).with_name("interactions.txt")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Topic:
    kind: str
    name: str
    texts: dict[str, tuple[tuple[str, str], ...]]  # language -> (subject, content) templates
    notes: tuple[str, ...]

    def render(
        self, rng: random.Random, language: str, slots: dict[str, object]
    ) -> tuple[str, str]:
        subject, content = rng.choice(self.texts[language])
        return subject.format(**slots)[:200], content.format(**slots)


def parse(text: str) -> dict[str, Topic]:
    """Sections "[kind:topic]" of lines "zh subject | content", "en ...", "note ..."."""
    sections: dict[str, dict[str, list]] = {}
    current: dict[str, list] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {"zh": [], "en": [], "note": []})
            continue
        field, _, rest = line.partition(" ")
        if current is None or field not in current or (field != "note" and " | " not in rest):
            raise ValueError(f"interactions.txt line {number}: cannot read {line!r}")
        current[field].append(tuple(rest.split(" | ", 1)) if field != "note" else rest)
    topics = {}
    for key, fields in sections.items():
        kind, _, name = key.partition(":")
        if kind not in InteractionKind.values or not all(fields[f] for f in (*LANGUAGES, "note")):
            raise ValueError(f"interactions.txt [{key}]: unknown kind or missing zh/en/note")
        texts = {language: tuple(fields[language]) for language in LANGUAGES}
        topics[key] = Topic(kind, name, texts, tuple(fields["note"]))
    return topics


@functools.cache
def topics() -> dict[str, Topic]:
    return parse(_SOURCE.read_text(encoding="utf-8"))
