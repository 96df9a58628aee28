"""Periodic jobs and claiming of due rows, safe with several bot processes."""
