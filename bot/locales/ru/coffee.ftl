## Random Coffee

cmd-coffee-now = открыть опрос Random Coffee этой недели сейчас
cmd-coffee-pair = закрыть опрос Random Coffee и составить пары сейчас
cmd-coffee-exclude = исключить участника из Random Coffee
cmd-coffee-include = вернуть исключённого участника в Random Coffee

coffee-poll-question = ☕ Random Coffee: кофе с кем-нибудь из сообщества на этой неделе?
coffee-poll-yes = Да
coffee-poll-no = Нет

coffee-pairs =
    ☕ Пары Random Coffee на эту неделю:
    { $pairs }
    Напишите своему партнёру и договоритесь о встрече!
coffee-nobody = ☕ На этой неделе на Random Coffee никто не записался.
coffee-alone = ☕ На этой неделе на Random Coffee записался только { $name }, поэтому пар в этот раз нет.
coffee-your-partner =
    ☕ Ваш партнёр по Random Coffee на этой неделе:

    { $cards }

    Напишите ему и договоритесь о встрече!
coffee-your-partners =
    ☕ На этой неделе у вас в Random Coffee тройка. Ваши партнёры:

    { $cards }

    Напишите им и договоритесь о встрече!
coffee-alone-note = ☕ На этой неделе на Random Coffee больше никто не записался, поэтому пары для вас в этот раз нет. До следующей недели!

coffee-excluded-note = Ваш ответ в опросе Random Coffee не учтён: администратор исключил вас из Random Coffee.
coffee-members-only-note = Ваш ответ в опросе Random Coffee не учтён: Random Coffee — для участников чата сообщества.

coffee-off = Random Coffee выключен: нужно задать COFFEE_POLL_AT (и COMMUNITY_CHAT_ID).
coffee-already-open = Опрос Random Coffee уже открыт. Команда /coffee_pair составит пары сейчас.
coffee-week-done = Пары Random Coffee на этой неделе уже составлены. Следующий опрос откроется в обычное время.
coffee-opened = ☕ Опрос Random Coffee опубликован. Пары будут составлены { $pairs_at } ({ $zone }) или сразу командой /coffee_pair.
coffee-none-open = Открытого опроса Random Coffee нет. Откройте его командой /coffee_now.
coffee-paired = ☕ Готово: { $people } чел. в { $groups ->
        [one] { $groups } группе
       *[other] { $groups } группах
    }. Пары объявлены в чате.
coffee-paired-none = ☕ Готово: { $people ->
        [0] никто не записался
       *[other] записалось { $people } чел.
    }, поэтому пар в этот раз нет.

coffee-unknown-user = Я не знаю { $who }. Пришлите @username того, кто писал боту или у кого есть профиль, или Telegram id.
coffee-usage-exclude =
    Пришлите /coffee_exclude @username (или Telegram id), чтобы исключить участника из Random Coffee.
    Сейчас исключены: { $excluded }
coffee-nobody-excluded = никто
coffee-usage-include = Пришлите /coffee_include @username (или Telegram id), чтобы вернуть исключённого участника.
coffee-excluded = { $name } исключён(а) из Random Coffee. Ответы не учитываются до /coffee_include.
coffee-included = { $name } снова участвует в Random Coffee.
coffee-already-excluded = { $name } уже исключён(а) из Random Coffee.
coffee-not-excluded = { $name } не исключён(а) из Random Coffee.
