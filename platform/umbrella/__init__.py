"""Platform administration for umbrella staff, inside the umbrella's own tenant."""
