## Game: a quick quiz over the vocabulary

cmd-game = play a quick quiz with your words

flow-Game = the game
game-btn-reveal = 👀
game-no-words = Your vocabulary is empty. Add pairs with /add or send a CSV file, then play.
game-card =
    <b>Card { $position } of { $total }</b> · ✅ { $correct }

    Translate: <b>{ $prompt }</b>
    Type the answer, or press 👀 to see it.
game-card-right =
    <b>Card { $position } of { $total }</b>

    <b>{ $prompt }</b> — { $expected } ✅
game-card-wrong =
    <b>Card { $position } of { $total }</b>

    <b>{ $prompt }</b> — { $expected } ❌
game-your-answer = Your answer: { $answer }
game-card-timeout = Time is up for this game.
game-no-card = This game has no cards left. Send /game to start a new one.
game-expired = This game has expired.
game-over = Game over: { $correct } correct answers of { $answered }, accuracy { $accuracy }%.
game-over-timeout = 15 minutes without an answer: the game is over. { $correct } correct answers of { $answered }, accuracy { $accuracy }%.
