## Profile: /profile, search, the admins' /profiles manager

cmd-profile = your profile: see it, edit it, find people
cmd-profiles = manage members' profiles
flow-ProfileEdit = editing your profile
flow-ProfileSearch = the profile search
flow-ProfileAdmin = the profile manager

profile-card =
    { $header }

    { $about }
profile-none = You have no profile yet. Send /intro to introduce yourself.
profile-filled = ✅ filled
profile-missing = ❌ missing
profile-field-line = { $field }: { $status }
profile-post-link = Your intro post: { $url }
profile-not-published = The intro is not posted in the community yet.
profile-field-first-name = First name
profile-field-last-name = Last name
profile-field-username = Username
profile-field-about = About
profile-btn-edit = ✏️ { $field }
profile-btn-search = 🔎 Find people
profile-btn-publish = 📣 Publish
profile-btn-publish-preview = 📣 Publish with link preview
profile-btn-start-over = ↩ Start over
profile-btn-remove = 🗑 Remove profile
profile-btn-remove-confirm = 🗑 Remove
profile-admin-remove-ask = Remove the profile of { $name } (id { $id }) and delete their intro card from the community chat? Their other data stays. This cannot be undone.
profile-admin-removed = Profile removed: { $name }. Their intro card is being deleted.
profile-ask-value = Send the new value of “{ $field }”.
profile-current = Current: <i>{ $value }</i>
profile-current-missing = Current: not filled yet.
profile-saved = Saved.
profile-gone = This profile no longer exists.
profile-username-invalid = That is not a Telegram username: up to 32 Latin letters, digits or underscores, starting with a letter.

profile-search-ask = Whom are you looking for? Send a @username, a first and last name, or words from someone's introduction.
profile-search-found = Found { $total } for “{ $query }”. Pick one to see the card, or send other words to search again.
profile-search-none = Nobody found for “{ $query }”. Send other words to search again.
profile-search-matched = • { $name } — matched: { $words }

profile-admin-ask = Profile manager. Send a @username, a Telegram id or a first and last name to find someone, or forward me a message from a person to create their profile from it.
profile-admin-none = No profile found for “{ $query }”. Send a @username, a Telegram id or a name.
profile-admin-created = A new profile was created.
profile-admin-exists = This person already has a profile.
profile-admin-hidden = I cannot tell who wrote that message: its sender hides their account in forwarded messages. Send their Telegram id instead.
profile-admin-not-a-user = That message was not forwarded from a person. Forward a message a member wrote, or send their Telegram id.
profile-admin-bad-id = A Telegram user id is a positive number.
profile-admin-unknown = I do not know { $username }. Send their Telegram id, or forward a message they wrote.
profile-admin-no-profile = { $username } (id { $id }) has no profile yet. Send the id to create one.
profile-incomplete = Fill in the first name, the last name and the about text before publishing.
profile-no-community = There is no community chat configured to publish to.
profile-published = Published.
