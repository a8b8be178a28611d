"""Headless sub-commands of ``smallbatch``; see ``cli.py``."""
