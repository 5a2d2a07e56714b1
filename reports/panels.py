"""What reports adds to pages of apps below it (core.panels)."""
