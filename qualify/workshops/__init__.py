"""Workshop sessions: dates, bookings, waitlist, reminders, calendar files and attendance."""
