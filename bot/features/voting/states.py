"""Voting has no private conversation: every step is a command or a button in the group."""
