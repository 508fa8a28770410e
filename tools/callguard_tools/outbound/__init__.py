"""``callguard outbound ...``: check and preview call jobs offline."""
