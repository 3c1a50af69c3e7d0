"""What lives inside one tenant, a package per bounded context."""
