## Game: быстрая викторина по словарю

cmd-game = быстрая викторина по вашим словам

flow-Game = игра
game-btn-reveal = 👀
game-no-words = Словарь пуст. Добавьте пары командой /add или пришлите CSV-файл, а потом играйте.
game-card =
    <b>Карточка { $position } из { $total }</b> · ✅ { $correct }

    Переведите: <b>{ $prompt }</b>
    Напишите ответ или нажмите 👀, чтобы его увидеть.
game-card-right =
    <b>Карточка { $position } из { $total }</b>

    <b>{ $prompt }</b> — { $expected } ✅
game-card-wrong =
    <b>Карточка { $position } из { $total }</b>

    <b>{ $prompt }</b> — { $expected } ❌
game-your-answer = Ваш ответ: { $answer }
game-card-timeout = Время этой игры вышло.
game-no-card = В этой игре не осталось карточек. Отправьте /game, чтобы начать новую.
game-expired = Эта игра истекла.
game-over = Игра окончена: правильных ответов { $correct } из { $answered }, точность { $accuracy }%.
game-over-timeout = 15 минут без ответа: игра окончена. Правильных ответов { $correct } из { $answered }, точность { $accuracy }%.
