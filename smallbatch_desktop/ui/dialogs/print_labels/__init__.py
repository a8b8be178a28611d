"""Print a batch's lot labels: layout, stock, copies, "n of N" numbers, used positions,
printer profile, a preview of the first page, then Print or Save PDF.

The plan comes from ``services.labels.plan_print`` (numbers continue after the last
final run unless the maker asks for a start number; a batch that is not released
prints drafts with a DRAFT watermark and consumes no numbers).  The PDF comes from the
one renderer (``pdf.labels.render_labels``) and Qt only rasterises it onto the printer
(``ui.printing``), at the profile's resolution, full page, so millimetres are true.

Rendering and printing run as a ``ui.tasks`` job with a progress bar and Cancel.  A
final run is recorded (``reserve_print_run``) in its own unit of work only after the job
succeeded; a cancelled or failed job records nothing.

Modules: ``dialog`` (the dialog), ``state`` (choices, plan, job), ``form`` (the
widgets), ``plan`` (planning and preview), ``output`` (PDF, printer, calibration, the
job and the recording of a final run), ``common``.
"""

from smallbatch_desktop.ui.dialogs.print_labels.common import PrintOutcome, ProfileInfo
from smallbatch_desktop.ui.dialogs.print_labels.dialog import PrintLabelsDialog

__all__ = ["PrintLabelsDialog", "PrintOutcome", "ProfileInfo"]
