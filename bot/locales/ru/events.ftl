## Events

cmd-event-setup = создать событие
cmd-event-edit = изменить событие
cmd-event-start = начать событие и объявить его
cmd-event-finish = завершить идущее событие
cmd-event-delete = удалить событие и его темы
cmd-events = ближайшие и идущие события

flow-EventSetup = создание события
flow-EventEdit = изменение события
flow-EventStart = начало события
flow-EventFinish = завершение события
flow-EventDelete = удаление события

events-type-club-call = Созвон клуба
events-type-meetup = Встреча
events-type-workshop = Воркшоп
events-type-reading-club = Читательский клуб
events-type-conference = Конференция

events-field-name = Название
events-field-type = Тип
events-field-start = Начало

events-card =
    <b>{ $name }</b>
    Тип: { $type }
    Начало: { $start } ({ $zone })

events-pick-item = { $name } · { $start }
events-gone = Этого события больше нет.

events-ask-name = Как называется событие? (1–{ $limit } символов)
events-ask-type = Какой это тип события?
events-ask-start =
    Когда оно начинается? Пришлите дату и время в формате ДД.ММ.ГГГГ ЧЧ:ММ по времени { $zone }.
    Например: { $example }
events-start-malformed = Не получилось прочитать дату. Формат ДД.ММ.ГГГГ ЧЧ:ММ, например: { $example }
events-start-past = Этот момент уже прошёл. Пришлите дату в будущем, например: { $example }
events-setup-continue = Продолжим создание события с того места, где остановились.
events-ask-field = Что изменить?
events-setup-card =
    <b>Новое событие</b>

    { $card }

    Сохранить?
events-saved =
    Событие сохранено. Участники могут предлагать темы командой /topic_add.

    { $card }

events-none = Событий пока нет. Создайте его командой /event_setup.
events-pick-edit = Какое событие изменить? (последние 10)
events-edit-which =
    { $card }

    Что изменить?
events-current = Сейчас: { $value }
events-updated =
    Событие изменено.

    { $card }

events-none-upcoming = Нет предстоящих событий, которые можно начать.
events-pick-start = Какое событие начинается?
events-ask-link = Ссылка на встречу <b>{ $name }</b> (адрес http:// или https://):
events-bad-link = Это не ссылка. Пришлите адрес, начинающийся с http:// или https://, например https://meet.example.org/agora
events-start-confirm =
    Начать <b>{ $name }</b> сейчас?
    Объявление со ссылкой { $link } будет опубликовано и закреплено в чате сообщества.
events-started = <b>{ $name }</b> идёт. Объявление появится и будет закреплено в сообществе через минуту.
events-started-no-chat = <b>{ $name }</b> идёт. Чат сообщества не настроен, поэтому объявления нет.
events-btn-join = Присоединиться
events-announcement =
    🔴 <b>{ $name }</b> ({ $type }) началось!
    Присоединяйтесь по кнопке ниже.

events-none-live = Нет идущих событий, которые можно завершить.
events-pick-finish = Какое событие закончилось?
events-finished = <b>{ $name }</b> завершено. Его темы сохранены.

events-pick-delete = Какое событие удалить?
events-delete-confirm =
    Удалить <b>{ $name }</b>?
    { $count ->
        [0] Тем у него нет.
        [one] Вместе с ним будет удалена { $count } тема.
        [few] Вместе с ним будут удалены { $count } темы.
       *[many] Вместе с ним будут удалены { $count } тем.
    }
events-deleted = <b>{ $name }</b> удалено. Удалено тем вместе с ним: { $count }.

events-list-empty = Предстоящих событий пока нет.
events-list-title = <b>Ближайшие события</b>
events-list-item =
    <b>{ $name }</b> — { $type }
    { $start } · { $countdown }
events-list-zone = Время указано по { $zone }.
events-live-now = идёт сейчас
events-starting-now = вот-вот начнётся
events-in-days = через { $days } д { $hours } ч
events-in-hours-minutes = через { $hours } ч { $minutes } мин
events-in-hours = через { $hours } ч
events-in-minutes = через { $minutes } мин

events-reminder =
    ⏰ <b>{ $name }</b> ({ $type }) начнётся { $when }: { $start } ({ $zone }).
    Предложите тему командой /topic_add.
