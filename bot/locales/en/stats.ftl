## /stats

cmd-stats = the community's figures and flows of the last 7 days
stats-title = 📊 Stats
stats-people = Members: { $members } · profiles: { $profiles } · published intros: { $published }
stats-active = Flows active now: { $flows }
stats-active-none = Flows active now: none
stats-week-header = Last 7 days (started → completed / cancelled / expired, median time to complete):
stats-week-none = no flows
stats-week-row = { $kind }: { $started } → { $completed } / { $cancelled } / { $expired }, median { $median }
stats-events = Events ahead: { $ahead } · voting sessions open: { $voting }
stats-learning = Learners active (7 days): { $learners } · cards reviewed: { $cards }
stats-outbox = Outbox: { $depth } waiting, oldest { $oldest }
stats-reminders = Reminders sent (7 days): events { $events } · reviews { $reviews }
stats-chart-started = started
stats-chart-completed = completed
