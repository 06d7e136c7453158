"""How labels look: one colour per entity label, the same in every chart and in the
highlighted text, and a name people read (People for PER).

PER, LOC and ORG keep their colours whatever else is present, so reports of different runs
look alike; other labels (MISC, or a model's own) take the next colours of the palette.
"""

from __future__ import annotations

# Tableau 10: distinct for most colour-blind readers, legible on white.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2", "#edc948",
           "#9c755f", "#ff9da7", "#bab0ac")
FIXED = {"PER": PALETTE[0], "LOC": PALETTE[1], "ORG": PALETTE[2], "MISC": PALETTE[3]}


def label_colors(labels: list[str]) -> dict[str, str]:
    """A hex colour per label; the palette repeats after ten labels."""
    spare = [color for color in PALETTE if color not in FIXED.values()]
    colors, extra = {}, 0
    for label in labels:
        if label in FIXED:
            colors[label] = FIXED[label]
        else:
            colors[label] = spare[extra % len(spare)]
            extra += 1
    return colors


def tint(color: str, alpha: float = 0.3) -> str:
    """The colour as a light background for highlighted text (``rgba(...)``)."""
    red, green, blue = (int(color[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


LABEL_NAMES = {"PER": "People", "LOC": "Places", "ORG": "Organisations", "MISC": "Other names"}


def label_title(label: str) -> str:
    """``People (PER)``; a label of another model as it is."""
    return f"{LABEL_NAMES[label]} ({label})" if label in LABEL_NAMES else label
