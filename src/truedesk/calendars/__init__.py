"""Business calendars: opening hours, public holidays and business-time arithmetic."""
