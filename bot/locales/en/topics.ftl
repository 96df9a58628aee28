## Topics

cmd-topic-add = propose a topic for an event
cmd-topics = topics proposed for an event
cmd-topics-manage = review and delete topics

flow-TopicAdd = proposing a topic
flow-TopicsBrowse = reading topics
flow-TopicsManage = managing topics

topics-pick-add = Which event is your topic for?
topics-no-upcoming = There are no upcoming events to propose topics for.
topics-ask-text = Your topic or question for <b>{ $name }</b> (1–{ $limit } characters):
topics-saved = Thank you! Your topic for <b>{ $name }</b> is saved; the admins will see it.
topics-admin-notice =
    💡 New topic for <b>{ $name }</b> from { $author }:

    { $text }

topics-pick-list = Topics of which event?
topics-pick-manage = Manage the topics of which event?
topics-no-events = There are no events yet.
topics-list-title = <b>Topics for { $name }</b> ({ $count })
topics-list-empty = No topics yet.
topics-list-item =
    { $number }. { $text }
    — { $author }, { $date }
topics-hint-add = Propose yours with /topic_add.
topics-btn-delete = 🗑 { $number }
topics-deleted = Topic deleted.
