"""Who is asking: device tokens of kiosks and staff desks, and residents identified at a kiosk."""
