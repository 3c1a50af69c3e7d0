"""The network the umbrella runs across tenants."""
