"""The sign-up journey: six steps from choosing a group to the confirmation."""
