## Core: /start /help /cancel /language, fallbacks, errors

start-greeting =
    Hello, <b>{ $name }</b>! I am Agora, the bot of this community.
    Members introduce themselves, propose topics for our events, decide things together and train vocabulary here.
start-greeting-group = Hello! I am Agora. Group commands are in the menu; talk to me in a private chat for everything else.
btn-help = Help
start-invite =
    Hello, <b>{ $name }</b>! I am Agora, the bot of this community.
    You are not in the community chat yet: join it with the button below, then send /start again.
btn-join = Join the community

# The bot's profile: "What can this bot do?" before the first /start, and the short line.
bot-description =
    Agora runs this community: introduce yourself and keep a profile, see upcoming events and propose topics for them, decide things together by voting in the group, and train vocabulary with spaced repetition and a quiz. Press Start to begin.
bot-short-description = The community bot: introductions, events, topics, votes and vocabulary training.

help-title = <b>What you can do here</b>
help-line = /{ $command } — { $description }
help-admin-title = <b>Admin commands</b>
help-empty = There are no commands for you here.

cancel-done = Cancelled: { $what }.
cancel-nothing = There is nothing to cancel.
cancel-generic = the current action

language-choose = Choose your language:
language-set = Language set: English.

fallback-reask = That is not what I asked for.
fallback-nontext = Please answer with text.
fallback-unknown = I did not understand that. Send /help to see what I can do.
fallback-old-state = The conversation you were in no longer exists after an update of the bot, so I reset it. Please start again.
button-stale = This button is no longer active.

only-in-private = This command works in a private chat with me.
only-in-groups = This command works in group chats only.
only-for-admin = This is for community admins only.
only-for-group-admin = Only admins of this group can do that.
only-for-member = This is for community members only. Join the community chat first.

error-generic = Something went wrong on my side. What you saved before is safe; please try again.

btn-cancel = ✖ Cancel
btn-back = ◀ Back
btn-prev = ◀ Prev
btn-next = Next ▶
btn-confirm = ✅ Confirm
btn-edit = ✏️ Edit

cmd-start = start the bot
cmd-help = what I can do
cmd-cancel = cancel the current action
cmd-language = choose your language

input-too-long = That is too long: at most { $limit } characters, and you sent { $length }. Please send a shorter one.
input-too-short = That is too short: at least { $minimum } characters, please.

# A member who used /forget, where their name was shown (a topic, a proposal).
former-member = a former member
