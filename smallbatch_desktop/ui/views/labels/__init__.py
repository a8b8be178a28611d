"""The Labels view: a label designer in the manner of gLabels or BarTender.

Left: saved layouts (new, open, save, save as, delete, recipe, default) and the label
stock (catalog search, custom stock).  Centre: the canvas with the label at true
proportions, the live preview rendered under the elements by the same ReportLab
renderer that prints, and a message area naming every element the renderer refuses or
warns about.  Right: the property panel.

The document is a frozen ``domain.label_layout.Layout``.  Every change (move, resize,
property, add, delete, align, stock) is one ``LayoutCommand`` on a ``QUndoStack`` that
holds the layout before and after, so undo and redo are exact.  The canvas and the
panel only report what the user did; ``_apply`` shows a layout everywhere.

Database work is one user action (``UiContext.run``) per click (save, delete,
attach, default); the view keeps plain data only (layouts, ids, names).

Modules: ``view`` (the widget and its state), ``building`` (panes, toolbar from the
action table), ``data`` (reading and showing), ``preview``, ``editing`` (undoable
changes, toggles, zoom), ``layouts`` (saved layouts, one op per click), ``common``.
"""

from smallbatch_desktop.ui.views.labels.view import LabelView

__all__ = ["LabelView"]
