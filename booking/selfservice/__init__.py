"""Self-service by personal link: the participant's own page, cancelling, new links, reminders."""
