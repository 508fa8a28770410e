"""Entry point Terraform runs as ``terraform-provider-aws``/``-awscc`` (generated scripts)."""

from callguard_tools.tfkit.provider.server import serve

if __name__ == "__main__":
    serve()
