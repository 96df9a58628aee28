## Profile: /profile, поиск, менеджер профилей /profiles

cmd-profile = ваш профиль: посмотреть, изменить, найти людей
cmd-profiles = управление профилями участников
flow-ProfileEdit = изменение профиля
flow-ProfileSearch = поиск профилей
flow-ProfileAdmin = менеджер профилей

profile-card =
    { $header }

    { $about }
profile-none = У вас пока нет профиля. Отправьте /intro, чтобы представиться.
profile-filled = ✅ заполнено
profile-missing = ❌ не заполнено
profile-field-line = { $field }: { $status }
profile-post-link = Ваше представление: { $url }
profile-not-published = Представление ещё не опубликовано в сообществе.
profile-field-first-name = Имя
profile-field-last-name = Фамилия
profile-field-username = Имя пользователя
profile-field-about = О себе
profile-btn-edit = ✏️ { $field }
profile-btn-search = 🔎 Найти людей
profile-btn-publish = 📣 Опубликовать
profile-btn-publish-preview = 📣 Опубликовать с превью ссылки
profile-btn-start-over = ↩ Начать заново
profile-btn-remove = 🗑 Удалить профиль
profile-btn-remove-confirm = 🗑 Удалить
profile-admin-remove-ask = Удалить профиль { $name } (id { $id }) и его визитку из чата сообщества? Остальные данные останутся. Это нельзя отменить.
profile-admin-removed = Профиль удалён: { $name }. Визитка удаляется из чата.
profile-ask-value = Отправьте новое значение поля «{ $field }».
profile-current = Сейчас: <i>{ $value }</i>
profile-current-missing = Сейчас: не заполнено.
profile-saved = Сохранено.
profile-gone = Этого профиля больше нет.
profile-username-invalid = Это не имя пользователя Telegram: до 32 латинских букв, цифр или подчёркиваний, начиная с буквы.

profile-search-ask = Кого вы ищете? Отправьте @username, имя и фамилию или слова из чьего-то представления.
profile-search-found = Найдено по запросу «{ $query }»: { $total }. Выберите, чтобы открыть карточку, или отправьте другие слова.
profile-search-none = По запросу «{ $query }» никого не нашлось. Отправьте другие слова.
profile-search-matched = • { $name } — совпало: { $words }

profile-admin-ask = Менеджер профилей. Отправьте @username, Telegram id или имя и фамилию, чтобы найти человека, или перешлите мне его сообщение, чтобы создать по нему профиль.
profile-admin-none = По запросу «{ $query }» профилей нет. Отправьте @username, Telegram id или имя.
profile-admin-created = Создан новый профиль.
profile-admin-exists = У этого человека уже есть профиль.
profile-admin-hidden = Не могу понять, кто написал это сообщение: отправитель скрывает свой аккаунт в пересылаемых сообщениях. Отправьте его Telegram id.
profile-admin-not-a-user = Это сообщение переслано не от человека. Перешлите сообщение участника или отправьте его Telegram id.
profile-admin-bad-id = Telegram id пользователя — положительное число.
profile-admin-unknown = Я не знаю { $username }. Отправьте его Telegram id или перешлите его сообщение.
profile-admin-no-profile = У { $username } (id { $id }) пока нет профиля. Отправьте id, чтобы создать его.
profile-incomplete = Перед публикацией заполните имя, фамилию и текст о себе.
profile-no-community = Чат сообщества для публикации не настроен.
profile-published = Опубликовано.
