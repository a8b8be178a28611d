"""Use cases: one function per user action. They take a Session and never commit."""
