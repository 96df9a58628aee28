## Intro: onboarding of a new member

cmd-intro = introduce yourself, or /intro words to find people
flow-Intro = the introduction

intro-welcome = Welcome! Let us write your introduction for the community: three short questions, then you see your card before it is posted.
intro-ask-first-name = What is your first name? (up to { $limit } characters)
intro-ask-last-name = What is your last name? (up to { $limit } characters)
intro-ask-about = Tell the community about yourself: who you are, what you do, what you are looking for here. (up to { $limit } characters)
intro-current = Current: <i>{ $value }</i>
intro-preview =
    This is how your intro card will look:

    { $card }
intro-choose-field = What would you like to change?
intro-field-first-name = First name
intro-field-last-name = Last name
intro-field-about = About you
intro-done-queued = Done! Your profile is saved, and your intro will appear in the community in a moment.
intro-done-saved = Done! Your profile is saved.
intro-continue = Let us go on with your introduction where we stopped.
