## Voting: group sessions, proposals and votes

cmd-create-session = open a voting session (group admins)
cmd-close-session = close the voting session (group admins)
cmd-propose = put a proposal to the vote
cmd-vote = vote yes or no on the open proposal
cmd-session = the open session, its proposal and results

voting-btn-join = Join
voting-btn-skip = Skip
voting-btn-yes = Yes
voting-btn-no = No

voting-usage-create = Usage: /create_session "Question or title" [join minutes] — join minutes from 1 to 60, 2 by default.
voting-bad-join-minutes = The join window must be a whole number of minutes from 1 to 60 (2 by default). Usage: /create_session "Question or title" [join minutes]
voting-usage-propose = Usage: /propose "text" [minutes] — minutes from 1 to 10, 5 by default; the text up to 500 characters.
voting-bad-minutes = Voting time must be a whole number of minutes from 1 to 10 (5 by default). Usage: /propose "text" [minutes]
voting-usage-vote = Usage: /vote yes or /vote no (for the open proposal).

voting-session-exists = This chat already has an open session: «{ $title }». Close it with /close_session before opening another.
voting-no-session = There is no open voting session in this chat.
voting-propose-not-participant = Only participants of the session can make proposals.
voting-proposal-exists = A proposal is already open: it closes in { $minutes } min. Wait for its result, then propose.
voting-no-open-proposal = There is no open proposal to vote on.
voting-proposal-gone = This proposal no longer exists.
voting-proposal-closed = Voting on this proposal is closed.
voting-join-first = Join the session first: press Join on the session card.
voting-only-participants = Only participants of the session vote.

voting-joined = You joined the session.
voting-already-joined = You already joined.
voting-skipped = OK, you skip this session.
voting-join-closed = Joining this session is closed.
voting-session-gone = This session is closed.
voting-choice-yes = Yes
voting-choice-no = No
voting-voted = Your vote: { $choice }.
voting-vote-changed = Vote changed to { $choice }.
voting-vote-same = You already voted { $choice }.

voting-nobody = nobody
voting-verdict-passed = passed
voting-verdict-rejected = rejected

voting-session-card =
    🗳 <b>{ $title }</b>
    Press Join to take part. Joining closes in { $minutes } min (at { $time } UTC).
    Participants: { $count }
voting-session-card-closed =
    🗳 <b>{ $title }</b>
    Joining is closed. Participants: { $count }
voting-session-started = ▶️ <b>Session started:</b> { $title }
voting-participants = Participants ({ $count }):
voting-how-to-propose = Participants propose with /propose "text" [minutes] (1–10 minutes, 5 by default) and vote with the buttons or /vote yes, /vote no.

voting-proposal-card =
    📝 <b>Proposal</b> by { $author }:
    { $text }

    Yes: { $yes } · No: { $no } · Not voted yet: { $pending }
    Closes in { $minutes } min (at { $time } UTC).
voting-proposal-card-final =
    📝 <b>Proposal</b> by { $author }:
    { $text }

    Voting closed: <b>{ $verdict }</b> — Yes: { $yes } · No: { $no } · Abstained: { $abstained }

voting-result =
    📊 Result: <b>{ $verdict }</b>
    { $text }
voting-result-yes = Yes ({ $count }):
voting-result-no = No ({ $count }):
voting-result-abstained = Abstained ({ $count }):
voting-result-line = { $number }. { $text } — <b>{ $verdict }</b> (yes { $yes }, no { $no }, abstained { $abstained })

voting-summary =
    🏁 <b>Session closed:</b> { $title }
    Participants: { $participants } · Proposals: { $proposals }
voting-summary-none = No proposal was put to the vote.

voting-overview = 🗳 <b>{ $title }</b> — { $status }
voting-overview-joining = joining is open for { $minutes } more min
voting-overview-started = in progress
voting-overview-proposal =
    <b>Open proposal:</b> { $text }
    Yes: { $yes } · No: { $no } · Not voted yet: { $pending } — { $minutes } min left
voting-overview-no-proposal = No open proposal.
voting-overview-results = <b>Results so far:</b>
voting-overview-no-results = No results yet.

voting-migrated = This group became a supergroup: the voting session «{ $title }» continues here.
