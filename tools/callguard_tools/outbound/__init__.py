"""``callguard outbound ...``: check, preview and report call jobs offline."""
