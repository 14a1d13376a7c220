"""Sample speech for checks and benches, made with the real tools (espeak-ng, sox).

The tests and `bench/asr_speed.py` hear the kiosk with these. Nothing here uses the code it
is meant to check (the recognisers, the endpointer, the speech output), so the kiosk is
never checked against itself.
"""
