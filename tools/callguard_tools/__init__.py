"""Tooling around the callguard runtime: admin CLI, build, flow tools, offline Terraform kit.

Nothing in this package ships to Lambda; it may use libraries the runtime must not.
"""
