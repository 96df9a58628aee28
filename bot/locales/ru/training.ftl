## Training: словарь, интервальное повторение, настройки, напоминания

cmd-add = добавить пару: /add слово — перевод
cmd-export = скачать словарь в CSV
cmd-clear = удалить весь словарь
cmd-review = повторить карточки, которые пора повторить
cmd-getpair = повторить одну карточку
cmd-settings = карточки за сессию, напоминания, часовой пояс
flow-TrainingAdd = добавление пары слов
flow-Review = повторение
flow-TimeZone = выбор часового пояса

training-add-ask = Пришлите пару в виде <code>слово — перевод</code> (или <code>слово = перевод</code>, <code>слово; перевод</code>).
training-add-usage = Не вижу пары. Используйте <code>/add слово — перевод</code> (или <code>=</code>, <code>;</code> между ними).
training-add-too-long = Слово или перевод слишком длинные: не больше { $limit } символов каждое.
training-added = Добавлено: <b>{ $word }</b> — { $translation }
training-updated = Обновлено: <b>{ $word }</b> — { $translation }

training-import-not-csv = Это не CSV-файл. Пришлите документ <b>.csv</b> (UTF-8, запятая, точка с запятой или табуляция между словом и переводом).
training-import-too-big = Файл слишком большой: не больше { $limit } МБ, а в нём { $size } МБ.
training-import-not-text = Не могу прочитать файл как текст UTF-8. Сохраните его как CSV в UTF-8 и пришлите снова.
training-import-progress = Импорт… { $done } из { $total }
training-import-done = Импортировано новых: { $new }, обновлено: { $updated }, пропущено: { $skipped }.
training-import-skipped-lines = Пропущены строки: { $lines }
training-import-empty = В этом файле нет пар слов.

training-export-empty = Словарь пуст. Добавьте пары командой /add или пришлите CSV-файл.
training-export-caption = Ваш словарь: пар — { $count }.

training-clear-ask = Удалить все пары слов ({ $count }) и открытые повторения и игры? Это нельзя отменить.
training-clear-empty = Словарь и так пуст.
training-btn-clear-confirm = Удалить всё
training-btn-clear-keep = Оставить
training-cleared = Удалено пар слов: { $count }.
training-clear-kept = Ничего не удалено.

training-grade-again = Снова
training-grade-hard = Трудно
training-grade-good = Хорошо
training-grade-easy = Легко
training-btn-snooze-day = Отложить на день
training-btn-snooze-week = Отложить на неделю

training-card =
    <b>Карточка { $position } из { $total }</b>

    <b>{ $front }</b>
    <tg-spoiler>{ $back }</tg-spoiler>
training-card-reminder = ⏰ Пора повторить: карточек к повторению — { $due }.
training-card-graded =
    <b>Карточка { $position } из { $total }</b>

    <b>{ $front }</b> — { $back }
    Ваша оценка: { $grade }
training-card-expired = Это повторение истекло. Отправьте /review, чтобы начать новое.
training-card-answered =
    <b>Карточка { $position } из { $total }</b>

    <b>{ $front }</b> — { $back } { $mark }
    Ваш ответ: { $answer }
    Ваша оценка: { $grade }
training-review-over = Это повторение окончено. Отправьте /review, чтобы начать новое.
training-review-type-hint = Напишите ответ текстом или оцените карточку кнопкой.
training-summary = Повторение окончено: карточек — { $cards }. Снова { $again } · Трудно { $hard } · Хорошо { $good } · Легко { $easy }.
training-nothing-due = Сейчас нечего повторять. Добавьте пары командой /add или пришлите CSV-файл.
training-nothing-due-until = Сейчас повторять нечего. Следующая карточка — { $when } UTC.
training-snoozed-day = Отложено карточек: { $count }, на день.
training-snoozed-week = Отложено карточек: { $count }, на неделю.

training-settings-title = <b>Настройки обучения</b>
training-settings-body =
    Карточек за сессию: <b>{ $cards }</b>
    Напоминания: утро 08:00 { $morning }, день 13:00 { $afternoon }, вечер 20:00 { $evening }
    Часовой пояс: <b>{ $zone }</b>
training-settings-cards-button = карточек: { $cards }
training-settings-morning = Утро 08:00
training-settings-afternoon = День 13:00
training-settings-evening = Вечер 20:00
training-settings-paused = Напоминания приостановлены: включите напоминание или начните повторение, чтобы возобновить их.
training-settings-zone-button = 🌍 Часовой пояс: { $zone }
training-zone-ask = Выберите часовой пояс или напишите город или название пояса (например, <code>Москва</code>, <code>Новосибирск</code>, <code>Europe/Berlin</code>) или отправьте геопозицию (📎 → Геопозиция). Напоминания учитывают переход на летнее время.
training-zone-matches = Найдено поясов: { $count }.
training-zone-more = Показаны первые: уточните название, чтобы увидеть остальные ({ $count }).
training-zone-not-found = Не знаю часового пояса «{ $query }». Напишите крупный город (например, <code>Екатеринбург</code> или <code>Yekaterinburg</code>) или название пояса вроде <code>Europe/Moscow</code>.
training-zone-saved = Часовой пояс сохранён: <b>{ $zone }</b>.
training-zone-near = Ближайшие к этому месту часовые пояса:
training-zone-no-location = По этому месту не получилось определить часовой пояс: напишите город или название пояса.
training-btn-close = Закрыть
training-settings-saved = Настройки сохранены.

training-reminders-paused = Я отправил { $count } напоминаний без ответа и приостановил их. Отправьте /review или откройте /settings, чтобы возобновить.
