"""Email builders for this area (see booking.notifications.email_kind)."""
