"""The kiosk screen: a local web page mirroring the conversation in very large text, with a
touch twin for every voice action (see `screen_app`)."""
