"""The summary of a roster import, as the CLI prints it (English, for the operator's terminal)."""
from __future__ import annotations

from db.queries.roster import ApplySummary

SHOWN = 20


def _names(items: list[str]) -> str:
    more = f" …and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def summary_lines(summary: ApplySummary, archive_missing: bool) -> list[str]:
    lines = [f"regions added: {len(summary.regions_added)}; districts added: {len(summary.districts_added)}; "
             f"organizations added: {len(summary.added)}, changed: {len(summary.changed)}, "
             f"renamed: {len(summary.renamed)}, moved: {len(summary.moved)}, unchanged: {summary.unchanged}"]
    if summary.renamed:
        lines.append("renamed: " + _names([f"{old} -> {new} ({district})" for district, old, new in summary.renamed]))
    if summary.moved:
        lines.append("moved: " + _names([f"{org}: {old} -> {new}" for org, old, new in summary.moved]))
    if summary.restored:
        lines.append("restored from the archive: " + _names([f"{o} ({d})" for d, o in summary.restored]))
    if archive_missing:
        lines.append(f"archived: {len(summary.archived)} organizations, {len(summary.districts_archived)} districts")
        if summary.archived:
            lines.append("archived: " + _names([f"{o} ({d})" for d, o in summary.archived]))
    elif summary.absent:
        lines.append(f"not in the file: {len(summary.absent)} organizations, kept (archive them with "
                     "--archive-missing): " + _names([f"{o} ({d})" for _i, d, o in summary.absent]))
    return lines
