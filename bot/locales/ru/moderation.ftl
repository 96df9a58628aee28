# Модерация: темы только для чтения, порядок в группе, права самого бота.

moderation-removed = Ваше сообщение в { $chat } удалено: в этой теме пишут только администраторы.
moderation-removed-reply-hint = Чтобы обсудить публикацию, ответьте на неё: ответ будет перенесён в тему для обсуждений.
moderation-removed-copy = Ваш текст, чтобы он не потерялся:
    <blockquote>{ $text }</blockquote>

moderation-moved = 💬 { $author } ответил(а) на <a href="{ $link }">эту публикацию</a>:

    { $text }
moderation-moved-nolink = 💬 { $author } ответил(а) на публикацию:

    { $text }

moderation-rights-title = ⚠️ Мне не хватает прав в { $chat }:
moderation-right-admin = • Я не администратор в этом чате.
moderation-right-pin = • Закреплять сообщения: { $why }.
moderation-right-delete = • Удалять сообщения: { $why }.
moderation-right-topics = • Управлять темами: { $why }.
moderation-why-events = анонсы встреч закрепляются
moderation-why-readonly = сообщения участников в темах только для чтения удаляются
moderation-why-service = сообщения «вошёл» и «вышел» удаляются
moderation-why-commands = команды для личного чата со мной убираются
moderation-why-forum = я пишу в темы форума, в том числе закрытые
moderation-rights-fix = Сделайте { $bot } администратором с этими правами (настройки группы → Администраторы).
moderation-rights-fixed = ✅ Теперь у меня есть все нужные права в { $chat }. Спасибо!
moderation-rights-gone = ⚠️ Меня больше нет в { $chat }: добавьте меня снова администратором, иначе функции сообщества там не работают.
moderation-rights-other-group = Спасибо, что добавили меня! Чтобы в чате был порядок (команды для личного чата со мной удаляются через несколько секунд), сделайте меня администратором с правом удалять сообщения.
