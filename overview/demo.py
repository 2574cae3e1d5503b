"""Demo data: the overview has none of its own; it recomputes its aggregates once the workflow apps seeded theirs
(their demos also write a few rows directly, e.g. back-dated history, which no signal reports)."""


def seed(base) -> str:
    from .aggregates import rebuild

    counts = rebuild()
    return "aggregates: " + ", ".join(f"{k} {v['objects']}" for k, v in counts.items())
