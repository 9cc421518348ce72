"""The widgets of the main window; each takes data through setters and reports through signals."""
