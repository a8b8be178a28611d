"""The frozen app's entry point: the same ``main`` as the ``smallbatch`` console script.

PyInstaller needs a script file; importing ``cli.main`` (rather than freezing
``__main__.py``) keeps the package's own modules importable under their real names.
"""

from smallbatch_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
