"""Resample a live stream block by block with the same result as resampling it in one piece.

Many USB microphones only open at 44.1 or 48 kHz. Resampling each block on its own would put
filter edge artefacts (clicks) at every block boundary, which both the VAD and the recogniser
hear. Instead we keep a little history and look a little ahead, so every output sample is
computed from a full filter window; the cost is `latency_s` (about 20 ms) of delay.
"""

from __future__ import annotations

from math import ceil, gcd

import numpy as np


class StreamResampler:
    """Polyphase resampling of float mono blocks, seamless across block boundaries."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        step = gcd(rate_in, rate_out)
        self.rate_in = rate_in
        """Sample rate of the blocks given to `push`."""
        self.rate_out = rate_out
        """Sample rate of the blocks returned."""
        self._up = rate_out // step
        self._down = rate_in // step
        # resample_poly's default filter spans 10 * max(up, down) taps each side at the
        # upsampled rate; pad enough whole input units (of `down` samples) to cover it.
        half_window_in = 10 * max(self._up, self._down) / self._up
        self._pad = (ceil(half_window_in / self._down) + 1) * self._down
        self._buffer = np.zeros(self._pad, dtype=np.float32)  # silence before the stream
        self._position = self._pad
        self._taken_in = 0
        self._given_out = 0

    @property
    def latency_s(self) -> float:
        """How far the output lags the input: the look-ahead the filter needs."""
        return self._pad / self.rate_in

    def push(self, block: np.ndarray) -> np.ndarray:
        """Resampled audio for as much of the stream as can be computed exactly so far."""
        self._buffer = np.concatenate([self._buffer, np.asarray(block, dtype=np.float32)])
        self._taken_in += len(block)
        units = (len(self._buffer) - self._position - self._pad) // self._down
        if units <= 0:
            return np.zeros(0, dtype=np.float32)
        return self._emit(units)

    def flush(self) -> np.ndarray:
        """The rest of the stream, as if silence followed it."""
        expected = self._taken_in * self._up // self._down
        missing = expected - self._given_out
        if missing <= 0:
            return np.zeros(0, dtype=np.float32)
        units = ceil(missing / self._up)
        self._buffer = np.concatenate([self._buffer, np.zeros(units * self._down + self._pad, dtype=np.float32)])
        return self._emit(units)[:missing]

    def _emit(self, units: int) -> np.ndarray:
        from scipy.signal import resample_poly  # ~2 s to import: only a microphone at 44.1/48 kHz needs it

        start = self._position - self._pad
        stop = self._position + units * self._down + self._pad
        resampled = resample_poly(self._buffer[start:stop], self._up, self._down)
        skip = self._pad * self._up // self._down
        out = resampled[skip : skip + units * self._up].astype(np.float32)
        self._position += units * self._down
        # keep only the history the next window needs
        self._buffer = self._buffer[self._position - self._pad :]
        self._position = self._pad
        self._given_out += len(out)
        return out
