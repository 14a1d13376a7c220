"""Booking: slots from opening hours, booking and cancelling, the day's list, reference codes, centre time."""
