"""The wire format between a kiosk and its centre's server: paths, bodies and error codes.

Both sides import this package and nothing of each other: the server builds its answers
from these bodies and names its refusals with these codes, and the kiosk reads the same
bodies and compares against the same codes — so a field or code renamed on one side is a
type error on the other, not a silent misreading in the field.
"""
