## /stats

cmd-stats = цифры сообщества и сценарии за 7 дней
stats-title = 📊 Статистика
stats-people = Участники: { $members } · профили: { $profiles } · опубликованные анкеты: { $published }
stats-active = Сейчас идут сценарии: { $flows }
stats-active-none = Сейчас идут сценарии: нет
stats-week-header = За 7 дней (начато → завершено / отменено / истекло, медиана до завершения):
stats-week-none = сценариев не было
stats-week-row = { $kind }: { $started } → { $completed } / { $cancelled } / { $expired }, медиана { $median }
stats-events = Событий впереди: { $ahead } · открытых голосований: { $voting }
stats-learning = Активных учеников (7 дней): { $learners } · карточек повторено: { $cards }
stats-outbox = Очередь отправки: { $depth }, самое старое { $oldest }
stats-reminders = Напоминаний отправлено (7 дней): о событиях { $events } · о повторении { $reviews }
stats-chart-started = начато
stats-chart-completed = завершено
