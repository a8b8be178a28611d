"""Print a batch's lot labels: layout, stock, copies, "n of N" numbers, used positions,
printer profile, a preview of the first page, then Print or Save PDF.

The plan comes from ``services.labels.plan_print`` (numbers continue after the last
final run unless the maker asks for a start number; a batch that is not released
prints drafts with a DRAFT watermark and consumes no numbers).  The PDF comes from the
one renderer (``pdf.labels.render_labels``) and Qt only rasterises it onto the printer
(``ui.printing``), at the profile's resolution, full page, so millimetres are true.

A final run's numbers are reserved first (``reserve_print_run``, planned again under
the batch's lock) in their own committed unit of work, so a second workstation printing
the same batch continues after them.  Rendering and printing then run as a
``ui.tasks`` job with a progress bar and Cancel; a job that fails or is cancelled gives
back the numbers of the labels that never left (those on pages already sent to the
printer stay used).

Modules: ``dialog`` (the dialog), ``state`` (choices, plan, job), ``form`` (the
widgets), ``plan`` (planning and preview), ``output`` (PDF, printer, calibration, the
job, reserving and giving back a final run's numbers), ``common``.
"""

from smallbatch_desktop.ui.dialogs.print_labels.common import PrintOutcome, ProfileInfo
from smallbatch_desktop.ui.dialogs.print_labels.dialog import PrintLabelsDialog

__all__ = ["PrintLabelsDialog", "PrintOutcome", "ProfileInfo"]
