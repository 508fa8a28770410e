"""Offline stand-ins for the outbound engine's AWS side: a fake Amazon Connect and the tables.

Used by the tests and the demo; never shipped to Lambda.
"""
