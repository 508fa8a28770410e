"""Entry point Terraform runs as ``terraform-provider-aws`` (through a generated script)."""

from callguard_tools.tfkit.provider.server import serve

if __name__ == "__main__":
    serve()
