## Feedback: /feedback passes a member's next message on to the admins

cmd-feedback = send a message to the admins
flow-Feedback = the message to the admins

feedback-ask =
    What would you like to tell the admins? Send one message: text, a photo, a document or a voice message.
    This request is open for { $minutes } minutes.
feedback-unsupported = I can pass on text, a photo, a document or a voice message (a video or an audio file too), not this.
feedback-sent = Thank you! Your message was passed on to the admins.
feedback-nobody = Sorry, your message could not be passed on to any admin right now. Please try again later.
feedback-expired = This request expired after { $minutes } minutes, so your message was not passed on. Send /feedback to try again.
# Above the copy of the member's message, for the admins; $who links to the member.
feedback-header = 📨 Feedback from { $who } (@{ $username }, id { $id }):
feedback-header-no-username = 📨 Feedback from { $who } (id { $id }):
