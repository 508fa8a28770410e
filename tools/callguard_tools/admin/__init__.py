"""Operator commands for the deny list and its Amazon Connect wiring.

Kept import-light on purpose: ``callguard --help`` loads only the group that is
used, and each command loads boto3 and the runtime store when it runs.
"""
