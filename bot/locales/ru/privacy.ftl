## Права на данные: /forget, /export_me

cmd-forget = удалить всё, что бот хранит о вас
cmd-export-me = скачать всё, что бот хранит о вас (JSON)
flow-Forget = удаление ваших данных

privacy-forget-title = <b>Удалить всё, что бот хранит о вас?</b> Будет удалено:
privacy-forget-profile = • ваш профиль
privacy-forget-card = • ваша визитка в чате сообщества
privacy-forget-words = • пары слов ({ $count }) с расписанием повторений и ваши настройки обучения
privacy-forget-sessions = • сессии повторения и игры и результаты игр ({ $count })
privacy-forget-coffee = • ответы и пары Random Coffee ({ $count })
privacy-forget-archive = • ваши сообщения в архиве контента ({ $count }; сами сообщения в чате останутся — удалите их в Telegram)
privacy-forget-topics = • ваше имя у предложенных тем ({ $count }; темы останутся, без автора)
privacy-forget-proposals = • ваше имя у предложений в голосованиях ({ $count }; они останутся, без автора)
privacy-forget-votes = • голоса ({ $count }): в закрытых сессиях станут анонимными (итоги не изменятся), в открытых — отозваны
privacy-forget-nothing = • больше ничего: бот хранит только ваш Telegram id и язык
privacy-forget-footer = Останутся только ваш Telegram id и язык, чтобы бот больше вам не писал. Это нельзя отменить.
privacy-btn-forget = 🗑 Удалить всё
privacy-forgotten = Готово: всё, что бот хранил о вас, удалено. Начать заново можно в любой момент командой /start.

privacy-export-caption = Всё, что бот хранит о вас (JSON, UTF-8).
