"""Smallbatch Desktop: recipes, lots, batches, labels and provenance for small-batch makers."""

__version__ = "0.1.0"
APP_NAME = "Smallbatch Desktop"
APP_ID = "smallbatch"  # folder name for user data, executable name
ORG_NAME = "Smallbatch"
