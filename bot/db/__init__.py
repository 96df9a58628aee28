"""Database layer: declarative base, engine and session factory, session middleware."""
