"""Domain layer: SQLAlchemy models, value types and rules. Imports nothing of ours above it."""
