## Events

cmd-event-setup = set up a new event
cmd-event-edit = change an event
cmd-event-start = start an event and announce it
cmd-event-finish = finish a live event
cmd-event-delete = delete an event and its topics
cmd-events = upcoming and live events

flow-EventSetup = setting up an event
flow-EventEdit = editing an event
flow-EventStart = starting an event
flow-EventFinish = finishing an event
flow-EventDelete = deleting an event

events-type-club-call = Club call
events-type-meetup = Meetup
events-type-workshop = Workshop
events-type-reading-club = Reading club
events-type-conference = Conference

events-field-name = Name
events-field-type = Type
events-field-start = Start

events-card =
    <b>{ $name }</b>
    Type: { $type }
    Start: { $start } ({ $zone })

events-pick-item = { $name } · { $start }
events-gone = This event is no longer available.

events-ask-name = What is the event called? (1–{ $limit } characters)
events-ask-type = What kind of event is it?
events-ask-start =
    When does it start? Send the date and time as DD.MM.YYYY HH:MM in { $zone } time.
    For example: { $example }
events-start-malformed = I could not read that date. Please use DD.MM.YYYY HH:MM, for example: { $example }
events-start-past = That moment has already passed. Please send a future date, for example: { $example }
events-setup-continue = Let us go on with the new event where we stopped.
events-ask-field = What do you want to change?
events-setup-card =
    <b>New event</b>

    { $card }

    Save it?
events-saved =
    Event saved. Members can now propose topics for it with /topic_add.

    { $card }

events-none = There are no events yet. Create one with /event_setup.
events-pick-edit = Which event do you want to change? (the last 10)
events-edit-which =
    { $card }

    What do you want to change?
events-current = Now: { $value }
events-updated =
    Event updated.

    { $card }

events-none-upcoming = There are no upcoming events to start.
events-pick-start = Which event is starting?
events-ask-link = The meeting link for <b>{ $name }</b> (an http:// or https:// address):
events-bad-link = That is not a link. Please send an address starting with http:// or https://, for example https://meet.example.org/agora
events-start-confirm =
    Start <b>{ $name }</b> now?
    The announcement with the link { $link } will be posted and pinned in the community chat.
events-started = <b>{ $name }</b> is live. The announcement will be posted and pinned in the community in a moment.
events-started-no-chat = <b>{ $name }</b> is live. No community chat is configured, so nothing was announced.
events-btn-join = Join
events-announcement =
    🔴 <b>{ $name }</b> ({ $type }) has started!
    Join us with the button below.

events-none-live = There are no live events to finish.
events-pick-finish = Which event has ended?
events-finished = <b>{ $name }</b> is finished. Its topics are kept.

events-pick-delete = Which event do you want to delete?
events-delete-confirm =
    Delete <b>{ $name }</b>?
    { $count ->
        [0] It has no topics.
        [one] Its 1 topic will be deleted with it.
       *[other] Its { $count } topics will be deleted with it.
    }
events-deleted = <b>{ $name }</b> is deleted, and { $count ->
    [one] 1 topic
   *[other] { $count } topics
} with it.

events-list-empty = There are no upcoming events yet.
events-list-title = <b>Upcoming events</b>
events-list-item =
    <b>{ $name }</b> — { $type }
    { $start } · { $countdown }
events-list-zone = Times are in { $zone }.
events-live-now = live now
events-starting-now = starting now
events-in-days = in { $days } d { $hours } h
events-in-hours-minutes = in { $hours } h { $minutes } min
events-in-hours = in { $hours } h
events-in-minutes = in { $minutes } min

events-reminder =
    ⏰ <b>{ $name }</b> ({ $type }) starts { $when }: { $start } ({ $zone }).
    Propose a topic with /topic_add.
