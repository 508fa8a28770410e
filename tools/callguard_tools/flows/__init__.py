"""Amazon Connect flows as code: parse, render, lint, diagram and simulate flow documents.

Connect has no local emulator, so everything a flow must satisfy before it is
published is checked here: :mod:`.render` fills the ``flows/*.tftpl`` templates
exactly as Terraform's ``templatefile()`` does, :mod:`.model` parses the result,
:mod:`.lint` applies the flow-language rules, and :mod:`.diagram` draws them for
review. The command-line entry point is :mod:`.cli` (``callguard flows``).
"""
