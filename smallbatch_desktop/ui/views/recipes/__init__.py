"""The Recipes view: a searchable recipe list and a version editor.

A draft version is edited in place (lines with a completing material picker, yield,
steps, QC spec, shelf life, label facts) and saved with ``update_draft``; Publish saves
and freezes it in one unit of work; New version copies a published version into the
next draft.  History lists every version and compares any two side by side.

Every write is one user action through ``UiContext.run`` (a refusal is shown beside
its field; the change is announced on the ``ChangeBus``), and the view reloads when
another action changes recipes, materials or settings (``ui.ops.watch``); a draft
with unsaved edits keeps them.

Modules: ``view`` (the widget), ``state`` (what the parts share), ``building`` (list,
editor head, splitter), ``tabs`` (the editor's tabs), ``data`` (reading recipes and
versions), ``editor`` (showing a version, unsaved edits), ``rows`` (ingredient lines
and QC checks), ``actions`` (save, publish, new version, compare, scale).
"""

from smallbatch_desktop.ui.views.recipes.state import QC_KIND_LABELS
from smallbatch_desktop.ui.views.recipes.view import RecipeView

__all__ = ["QC_KIND_LABELS", "RecipeView"]
