"""Operator commands for outbound call jobs (``callguard outbound ...``)."""
