## Flows: one active flow per user and chat (bot/telegram/flows.py, prompts.py, forms.py)

# Said when a command starts another flow; $what is a flow-<StatesGroup> name.
flows-paused = Paused: { $what }. Send /{ $command } to continue where you stopped.
flows-left = Left: { $what }. Send /{ $command } to start again.
flows-left-plain = Left: { $what }.

form-paste-ignored = Your message arrived in several parts: I took the first one and ignored the rest.
