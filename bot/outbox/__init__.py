"""The outbox: posts and edits in groups, written as rows, delivered at the group's pace."""
