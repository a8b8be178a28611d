"""Database access: engine set-up and Alembic migrations."""
