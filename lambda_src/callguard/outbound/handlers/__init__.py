"""Lambda entry points of the outbound engine (``callguard.outbound.handlers.<name>.handler``)."""
