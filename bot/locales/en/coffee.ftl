## Random Coffee

cmd-coffee-now = open this week's Random Coffee poll now
cmd-coffee-pair = close the Random Coffee poll and make the pairs now
cmd-coffee-exclude = exclude a member from Random Coffee
cmd-coffee-include = take an excluded member back into Random Coffee

coffee-poll-question = ☕ Random Coffee: coffee with someone from the community this week?
coffee-poll-yes = Yes
coffee-poll-no = No

coffee-pairs =
    ☕ Random Coffee pairs of the week:
    { $pairs }
    Say hello to your partner and find a time to meet!
coffee-nobody = ☕ Nobody signed up for Random Coffee this week.
coffee-alone = ☕ Only { $name } signed up for Random Coffee this week, so there are no pairs this time.
coffee-your-partner =
    ☕ Your Random Coffee partner this week:

    { $cards }

    Write to them and find a time to meet!
coffee-your-partners =
    ☕ You are a trio in Random Coffee this week. Your partners:

    { $cards }

    Write to them and find a time to meet!
coffee-alone-note = ☕ Nobody else signed up for Random Coffee this week, so there is no pair for you this time. See you next week!

coffee-excluded-note = Your answer in the Random Coffee poll does not count: an admin has excluded you from Random Coffee.
coffee-members-only-note = Your answer in the Random Coffee poll does not count: Random Coffee is for members of the community chat.

coffee-off = Random Coffee is off: COFFEE_POLL_AT (and COMMUNITY_CHAT_ID) must be set.
coffee-already-open = A Random Coffee poll is already open. Use /coffee_pair to make the pairs now.
coffee-week-done = This week's Random Coffee is already paired. The next poll opens at its usual time.
coffee-opened = ☕ The Random Coffee poll is posted. The pairs will be made on { $pairs_at } ({ $zone }), or at once with /coffee_pair.
coffee-none-open = No Random Coffee poll is open. Open one with /coffee_now.
coffee-paired = ☕ Done: { $people } people in { $groups ->
        [one] one group
       *[other] { $groups } groups
    }. The pairs are announced in the chat.
coffee-paired-none = ☕ Done: { $people ->
        [0] nobody
        [one] one person
       *[other] { $people } people
    } signed up, so there are no pairs this time.

coffee-unknown-user = I do not know { $who }. Send a @username of someone who has talked to the bot or has a profile, or a Telegram user id.
coffee-usage-exclude =
    Send /coffee_exclude @username (or a Telegram user id) to exclude a member from Random Coffee.
    Excluded now: { $excluded }
coffee-nobody-excluded = nobody
coffee-usage-include = Send /coffee_include @username (or a Telegram user id) to take an excluded member back.
coffee-excluded = { $name } is excluded from Random Coffee. Their answers are not counted until /coffee_include.
coffee-included = { $name } takes part in Random Coffee again.
coffee-already-excluded = { $name } is already excluded from Random Coffee.
coffee-not-excluded = { $name } is not excluded from Random Coffee.
