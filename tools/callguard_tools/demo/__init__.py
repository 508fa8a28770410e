"""``make demo``: the whole of callguard offline, on a machine with no AWS account.

It validates and plans the dev Terraform root against the stand-in provider,
starts a local DynamoDB emulation (``moto_server`` on loopback), and plays a
contact center's day through the real flow JSON with the real handlers and the
real ``callguard`` CLI, checking every outcome. See ``docs/demo.md``.
"""
