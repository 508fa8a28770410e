"""``callguard outbound ...``: check, preview and start call jobs offline."""
