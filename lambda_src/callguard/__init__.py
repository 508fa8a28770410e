"""callguard runtime: the code that ships inside the Lambda zip.

Only the standard library, boto3 (provided by the Lambda runtime) and
``phonenumberslite`` (imported lazily, for national number formats) are used, so
a cold start stays short: every inbound call waits in silence for the check.
"""

__version__ = "0.1.0"
