"""What the print dialog's parts share: its outcome, profiles, the render job."""

from __future__ import annotations

import dataclasses
import logging

from smallbatch_desktop.pdf.labels import RenderResult
from smallbatch_desktop.services.labels import PrintPlan
from smallbatch_desktop.ui.tasks import Progress

log = logging.getLogger(__name__)
NO_PROFILE = ""


@dataclasses.dataclass(frozen=True)
class ProfileInfo:
    name: str
    dpi: int
    offset_x: float
    offset_y: float


@dataclasses.dataclass(frozen=True)
class PrintOutcome:
    """What a finished job did: pages and labels, where (file or printer), numbers."""

    pages: int
    labels: int
    target: str
    plan: PrintPlan
    warnings: tuple[str, ...] = ()


def _render(plan: PrintPlan, progress: Progress, share: float) -> RenderResult:
    """Render the plan's PDF on a worker thread, reporting ``share`` of the progress."""
    from smallbatch_desktop.pdf.labels import render_labels

    def on_progress(done: int, total: int) -> None:
        progress.check()
        progress.report(int(100 * share * done / max(total, 1)), 100, f"Rendering label {done}")

    result = render_labels(plan.job, progress=on_progress)
    progress.check()
    return result
