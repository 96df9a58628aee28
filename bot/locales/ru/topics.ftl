## Topics

cmd-topic-add = предложить тему для события
cmd-topics = темы, предложенные для события
cmd-topics-manage = просмотреть и удалить темы

flow-TopicAdd = предложение темы
flow-TopicsBrowse = просмотр тем
flow-TopicsManage = управление темами

topics-pick-add = Для какого события ваша тема?
topics-no-upcoming = Нет предстоящих событий, для которых можно предложить тему.
topics-ask-text = Ваша тема или вопрос для <b>{ $name }</b> (1–{ $limit } символов):
topics-saved = Спасибо! Ваша тема для <b>{ $name }</b> сохранена, администраторы её увидят.
topics-admin-notice =
    💡 Новая тема для <b>{ $name }</b> от { $author }:

    { $text }

topics-pick-list = Темы какого события показать?
topics-pick-manage = Темами какого события управлять?
topics-no-events = Событий пока нет.
topics-list-title = <b>Темы для { $name }</b> ({ $count })
topics-list-empty = Тем пока нет.
topics-list-item =
    { $number }. { $text }
    — { $author }, { $date }
topics-hint-add = Предложите свою командой /topic_add.
topics-btn-delete = 🗑 { $number }
topics-deleted = Тема удалена.
