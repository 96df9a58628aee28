# Moderation: read-only topics, a tidy group, the bot's own rights.

moderation-removed = Your message in { $chat } was removed: only the admins post in that topic.
moderation-removed-reply-hint = To discuss a post, reply to it: your reply is moved to the discussion topic.
moderation-removed-copy = Your text, so nothing is lost:
    <blockquote>{ $text }</blockquote>

moderation-moved = 💬 { $author } replied to <a href="{ $link }">this post</a>:

    { $text }
moderation-moved-nolink = 💬 { $author } replied to a post:

    { $text }

moderation-rights-title = ⚠️ I am missing rights in { $chat }:
moderation-right-admin = • I am not an administrator there.
moderation-right-pin = • Pin messages: { $why }.
moderation-right-delete = • Delete messages: { $why }.
moderation-right-topics = • Manage topics: { $why }.
moderation-why-events = event announcements are pinned
moderation-why-readonly = members' posts in read-only topics are removed
moderation-why-service = "joined" and "left" messages are removed
moderation-why-commands = commands meant for my private chat are tidied away
moderation-why-forum = I post in the forum's topics, closed ones too
moderation-rights-fix = Make { $bot } an administrator with these rights (group settings → Administrators).
moderation-rights-fixed = ✅ I now have every right I need in { $chat }. Thank you!
moderation-rights-gone = ⚠️ I am no longer in { $chat }: add me back as an administrator, or the community features stop working there.
moderation-rights-other-group = Thanks for adding me! To keep this chat tidy (commands meant for my private chat are removed after a few seconds), make me an administrator with the right to delete messages.
