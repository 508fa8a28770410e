"""The outbound call engine: call jobs from a workbook, CSV or JSON, checked, rendered, reported.

This package ships in its own Lambda zip (``callguard-outbound.zip``). The inbound
deny-list check never imports it, so it never pays for the workbook reader,
Jinja2 or time-zone data that live here.
"""
