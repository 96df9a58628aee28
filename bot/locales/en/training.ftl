## Training: vocabulary, spaced-repetition review, settings, reminders

cmd-add = add a word pair: /add word — translation
cmd-export = download your vocabulary as CSV
cmd-clear = delete your whole vocabulary
cmd-review = review the cards that are due
cmd-getpair = review one card
cmd-settings = cards per session, reminders, time zone
flow-TrainingAdd = adding a word pair
flow-Review = the review
flow-TimeZone = choosing a time zone

training-add-ask = Send the pair as <code>word — translation</code> (or <code>word = translation</code>, <code>word; translation</code>).
training-add-usage = I could not find a pair there. Use <code>/add word — translation</code> (or <code>=</code>, <code>;</code> between them).
training-add-too-long = A word or a translation is too long: at most { $limit } characters each.
training-added = Added: <b>{ $word }</b> — { $translation }
training-updated = Updated: <b>{ $word }</b> — { $translation }

training-import-not-csv = That is not a CSV file. Send a <b>.csv</b> document (UTF-8, comma, semicolon or tab between word and translation).
training-import-too-big = That file is too big: at most { $limit } MB, and it has { $size } MB.
training-import-not-text = I cannot read that file as UTF-8 text. Save it as CSV in UTF-8 and send it again.
training-import-progress = Importing… { $done } of { $total }
training-import-done = Imported { $new } new, updated { $updated }, skipped { $skipped }.
training-import-skipped-lines = Skipped lines: { $lines }
training-import-empty = There are no word pairs in that file.

training-export-empty = Your vocabulary is empty. Add pairs with /add or send a CSV file.
training-export-caption = Your vocabulary: { $count } pairs.

training-clear-ask = Delete all { $count } word pairs and any open review or game? This cannot be undone.
training-clear-empty = Your vocabulary is already empty.
training-btn-clear-confirm = Delete everything
training-btn-clear-keep = Keep
training-cleared = Deleted { $count } word pairs.
training-clear-kept = Nothing was deleted.

training-grade-again = Again
training-grade-hard = Hard
training-grade-good = Good
training-grade-easy = Easy
training-btn-snooze-day = Snooze 1 day
training-btn-snooze-week = Snooze 1 week

training-card =
    <b>Card { $position } of { $total }</b>

    <b>{ $front }</b>
    <tg-spoiler>{ $back }</tg-spoiler>
training-card-reminder = ⏰ Time to review: { $due } cards are due.
training-card-graded =
    <b>Card { $position } of { $total }</b>

    <b>{ $front }</b> — { $back }
    Your grade: { $grade }
training-card-expired = This review session has expired. Send /review to start a new one.
training-card-answered =
    <b>Card { $position } of { $total }</b>

    <b>{ $front }</b> — { $back } { $mark }
    Your answer: { $answer }
    Your grade: { $grade }
training-review-over = This review session is over. Send /review to start a new one.
training-review-type-hint = Type the answer as text, or grade the card with a button.
training-summary = Session complete: { $cards } cards. Again { $again } · Hard { $hard } · Good { $good } · Easy { $easy }.
training-nothing-due = Nothing to review right now. Add pairs with /add or send a CSV file.
training-nothing-due-until = Nothing is due right now. The next card is due on { $when } UTC.
training-snoozed-day = Snoozed: { $count } cards moved by a day.
training-snoozed-week = Snoozed: { $count } cards moved by a week.

training-settings-title = <b>Learning settings</b>
training-settings-body =
    Cards per session: <b>{ $cards }</b>
    Reminders: morning 08:00 { $morning }, afternoon 13:00 { $afternoon }, evening 20:00 { $evening }
    Time zone: <b>{ $zone }</b>
training-settings-cards-button = { $cards } cards
training-settings-morning = Morning 08:00
training-settings-afternoon = Afternoon 13:00
training-settings-evening = Evening 20:00
training-settings-paused = Reminders are paused: turn a reminder on or review to resume them.
training-settings-zone-button = 🌍 Time zone: { $zone }
training-zone-ask = Choose your time zone, or type a city or a zone name (for example <code>New York</code>, <code>Berlin</code>, <code>Europe/Moscow</code>), or share a location (📎 → Location). Reminders follow daylight saving time.
training-zone-matches = Zones found: { $count }.
training-zone-more = Showing the first ones: type more of the name to see the other { $count }.
training-zone-not-found = I know no time zone called “{ $query }”. Type a city (in English) or a zone name like <code>Europe/Berlin</code>.
training-zone-saved = Time zone saved: <b>{ $zone }</b>.
training-zone-near = The zones nearest to that location:
training-zone-no-location = I could not tell a time zone from that location: type a city or a zone name.
training-btn-close = Close
training-settings-saved = Settings saved.

training-reminders-paused = I have sent { $count } reminders without an answer, so I paused them. Send /review or open /settings to resume them.
