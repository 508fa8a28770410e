"""Amazon Connect Lambda handlers: ``callguard.handlers.<name>.handler(event, context)``."""
