"""One batch beside the Batches list: ``BatchDetailPanel`` (header, status buttons,
summary) and its tabs, one small module each: inputs, QC, shipments, amendments,
notes, cost."""

from smallbatch_desktop.ui.views.batch_detail.panel import STATUS_BUTTONS, BatchDetailPanel

__all__ = ["STATUS_BUTTONS", "BatchDetailPanel"]
