"""PySide6 user interface.

Importing it first guards against a reference-counting bug of PySide6 6.12.0 on CPython
3.11 (see ``refcount_guard``): every ``void`` Qt method called from Python (``setText``,
``setEnabled``, ``update``...) gives back ``None`` without taking a reference to it, so
``None``'s count falls by one per call until the interpreter aborts ("deallocating None",
or "deallocating True or False" for some ``bool`` paths). CPython 3.12 made these objects
immortal (PEP 683), which hides the bug there. PySide6-Pdf, which QtPdf needs, exists only
for 6.12, so pinning an older PySide6 is not an option.
"""

from smallbatch_desktop.ui.refcount_guard import guard_singletons

guard_singletons()
