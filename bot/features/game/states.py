"""The game keeps no FSM state: the open game is a row, and typed answers find it there."""
