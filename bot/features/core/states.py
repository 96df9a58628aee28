"""Core has no multi-step flow: /language is a single button press."""
