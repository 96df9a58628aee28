## Flows: один активный диалог на пользователя и чат (bot/telegram/flows.py, prompts.py, forms.py)

flows-paused = На паузе: { $what }. Чтобы продолжить с того же места, отправьте /{ $command }.
flows-left = Прервано: { $what }. Чтобы начать заново, отправьте /{ $command }.
flows-left-plain = Прервано: { $what }.

form-paste-ignored = Ваше сообщение пришло несколькими частями: я взял первую, остальные пропустил.
