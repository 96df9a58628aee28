## Data rights: /forget, /export_me

cmd-forget = delete everything the bot stores about you
cmd-export-me = download everything the bot stores about you (JSON)
flow-Forget = deleting your data

privacy-forget-title = <b>Delete everything the bot stores about you?</b> This goes:
privacy-forget-profile = • your profile
privacy-forget-card = • your intro card in the community chat
privacy-forget-words = • your vocabulary: { $count } word pairs with their schedule, and your learning settings
privacy-forget-sessions = • review and game sessions and game results ({ $count })
privacy-forget-coffee = • Random Coffee answers and pairings ({ $count })
privacy-forget-archive = • your messages in the content archive ({ $count }; the posts in the chat stay: delete them in Telegram)
privacy-forget-topics = • your name on the topics you proposed ({ $count }; the topics stay, anonymised)
privacy-forget-proposals = • your name on your voting proposals ({ $count }; they stay, anonymised)
privacy-forget-votes = • your votes ({ $count }): anonymised in closed sessions (the results stay right), withdrawn in open ones
privacy-forget-nothing = • nothing else: the bot stores only your Telegram id and language
privacy-forget-footer = Only your Telegram id and language stay, so that the bot does not write to you again. This cannot be undone.
privacy-btn-forget = 🗑 Delete everything
privacy-forgotten = Done: everything the bot stored about you is deleted. You can start again with /start at any time.

privacy-export-caption = Everything the bot stores about you (JSON, UTF-8).
