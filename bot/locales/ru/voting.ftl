## Голосование: сессии, предложения и голоса в группах

cmd-create-session = открыть сессию голосования (админы группы)
cmd-close-session = закрыть сессию голосования (админы группы)
cmd-propose = вынести предложение на голосование
cmd-vote = голосовать «за» или «против» открытого предложения
cmd-session = открытая сессия, её предложение и итоги

voting-btn-join = Участвовать
voting-btn-skip = Пропустить
voting-btn-yes = За
voting-btn-no = Против

voting-usage-create = Формат: /create_session "Вопрос или название" [минуты на вход] — от 1 до 60 минут, по умолчанию 2.
voting-bad-join-minutes = Время на вход — целое число минут от 1 до 60 (по умолчанию 2). Формат: /create_session "Вопрос или название" [минуты на вход]
voting-usage-propose = Формат: /propose "текст" [минуты] — от 1 до 10 минут, по умолчанию 5; текст до 500 символов.
voting-bad-minutes = Время голосования — целое число минут от 1 до 10 (по умолчанию 5). Формат: /propose "текст" [минуты]
voting-usage-vote = Формат: /vote yes или /vote no (за открытое предложение).

voting-session-exists = В этом чате уже открыта сессия: «{ $title }». Закройте её командой /close_session, прежде чем открывать новую.
voting-no-session = В этом чате нет открытой сессии голосования.
voting-propose-not-participant = Предлагать могут только участники сессии.
voting-proposal-exists = Предложение уже на голосовании: оно закроется через { $minutes } мин. Дождитесь итога и тогда предлагайте.
voting-no-open-proposal = Нет открытого предложения для голосования.
voting-proposal-gone = Этого предложения больше нет.
voting-proposal-closed = Голосование по этому предложению закрыто.
voting-join-first = Сначала вступите в сессию: нажмите «Участвовать» на карточке сессии.
voting-only-participants = Голосуют только участники сессии.

voting-joined = Вы участвуете в сессии.
voting-already-joined = Вы уже участвуете.
voting-skipped = Хорошо, вы пропускаете эту сессию.
voting-join-closed = Вход в эту сессию закрыт.
voting-session-gone = Эта сессия закрыта.
voting-choice-yes = за
voting-choice-no = против
voting-voted = Ваш голос: { $choice }.
voting-vote-changed = Голос изменён: { $choice }.
voting-vote-same = Вы уже проголосовали: { $choice }.

voting-nobody = никто
voting-verdict-passed = принято
voting-verdict-rejected = отклонено

voting-session-card =
    🗳 <b>{ $title }</b>
    Нажмите «Участвовать», чтобы принять участие. Вход закроется через { $minutes } мин (в { $time } UTC).
    Участников: { $count }
voting-session-card-closed =
    🗳 <b>{ $title }</b>
    Вход закрыт. Участников: { $count }
voting-session-started = ▶️ <b>Сессия началась:</b> { $title }
voting-participants = Участники ({ $count }):
voting-how-to-propose = Участники предлагают командой /propose "текст" [минуты] (1–10 минут, по умолчанию 5) и голосуют кнопками или командами /vote yes, /vote no.

voting-proposal-card =
    📝 <b>Предложение</b> от { $author }:
    { $text }

    За: { $yes } · Против: { $no } · Ещё не голосовали: { $pending }
    Закроется через { $minutes } мин (в { $time } UTC).
voting-proposal-card-final =
    📝 <b>Предложение</b> от { $author }:
    { $text }

    Голосование закрыто: <b>{ $verdict }</b> — за: { $yes } · против: { $no } · воздержались: { $abstained }

voting-result =
    📊 Итог: <b>{ $verdict }</b>
    { $text }
voting-result-yes = За ({ $count }):
voting-result-no = Против ({ $count }):
voting-result-abstained = Воздержались ({ $count }):
voting-result-line = { $number }. { $text } — <b>{ $verdict }</b> (за { $yes }, против { $no }, воздержались { $abstained })

voting-summary =
    🏁 <b>Сессия закрыта:</b> { $title }
    Участников: { $participants } · Предложений: { $proposals }
voting-summary-none = Ни одно предложение не выносилось на голосование.

voting-overview = 🗳 <b>{ $title }</b> — { $status }
voting-overview-joining = вход открыт ещё { $minutes } мин
voting-overview-started = идёт
voting-overview-proposal =
    <b>Открытое предложение:</b> { $text }
    За: { $yes } · Против: { $no } · Ещё не голосовали: { $pending } — осталось { $minutes } мин
voting-overview-no-proposal = Открытого предложения нет.
voting-overview-results = <b>Итоги на сейчас:</b>
voting-overview-no-results = Итогов пока нет.

voting-migrated = Группа стала супергруппой: сессия голосования «{ $title }» продолжается здесь.
