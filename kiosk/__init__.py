"""The kiosk: dialogue state, screen and the HTTP client, plus the `kiosk` command."""
