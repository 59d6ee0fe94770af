"""Progress reports for long work, without any dependency.

At ``verbose=1``: what is being trained, a summary per epoch and, for
longer work only, an estimate of the training time once a tenth of the
first epoch has run and progress within each epoch (one line rewritten in
place on a terminal; a new line every ``LINE_EVERY`` of an epoch or
``LINE_SECONDS`` seconds elsewhere, e.g. in a notebook log or CI), so that
a fit of a few seconds prints a handful of lines. ``verbose=2`` adds the
stages' timings and details.
"""

import sys
import time

#: On a terminal, the in-place line is redrawn at most this often (seconds).
REDRAW_SECONDS = 0.25
#: Elsewhere, a progress line each time this fraction of an epoch is done...
LINE_EVERY = 0.1
#: ...or when this many seconds passed since the last line.
LINE_SECONDS = 30.0
#: The time estimate is made once this fraction of the first epoch has run,
#: from the rate after the first fraction (the start-up of training left out)...
ESTIMATE_AFTER = (0.02, 0.1)
#: ...and printed if it is at least this many seconds.
ESTIMATE_MIN = 10.0
#: Passes over the documents (reading, counting) and training show progress
#: within a pass once they have run this many seconds.
PASS_QUIET = 3.0


def _duration(seconds):
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Reports on one fit to ``stream`` (default: ``sys.stdout``).

    Parameters
    ----------
    name : str
        Prefix of every line, e.g. ``"SkipGramVectorizer"``.
    verbose : int
        0: silent; 1: progress; 2: progress and detail.
    stream : file-like, default=None
        Where to write; a terminal gets in-place progress.
    """

    def __init__(self, name, verbose, stream=None):
        self.name = name
        self.verbose = verbose
        self.stream = sys.stdout if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self._open_line = 0  # length of the in-place line on the terminal
        self.n_epochs = 1
        self.unit = "words"
        self._last_draw = -float("inf")
        self._last_fraction = 0.0
        self._tokens_read = 0

    def message(self, text, level=1):
        """Print ``text`` as one line when ``verbose >= level``."""
        if self.verbose >= level:
            self._end_line()
            print(f"[{self.name}] {text}", file=self.stream, flush=True)

    def stage(self, what, seconds, level=2):
        """Report that a stage of the fit took ``seconds``."""
        self.message(f"{what}: {_duration(seconds)}", level)

    def start_training(self, n_epochs, unit, epoch_units=None):
        """Training of ``n_epochs`` epochs, whose speed is given in ``unit``,
        begins. ``epoch_units``: how many ``unit`` an epoch stands for when
        the solver counts its progress in other parts (rows of the counts,
        drawn pairs); None when it counts in ``unit``."""
        self.n_epochs = n_epochs
        self.unit = unit
        self._epoch_units = epoch_units
        self._tic = time.perf_counter()
        self._elapsed = 0.0
        self._estimated = False
        self._warm = None  # (fraction, seconds) of the first epoch once past its start
        self._last_draw = -float("inf")
        self._last_fraction = 0.0

    def counted(self, done, total):
        """How many ``unit`` ``done`` of an epoch's ``total`` parts stand for:
        ``done`` itself, or that fraction of the epoch's ``epoch_units``."""
        return done if self._epoch_units is None else self._epoch_units * done / max(total, 1)

    def batch(self, epoch, done, total, seconds):
        """``done`` of ``total`` parts of epoch ``epoch`` took ``seconds`` so far."""
        if self.verbose < 1 or total <= 0:
            return
        fraction = done / total
        counted = self.counted(done, total)
        if epoch == 0 and self._warm is None and fraction >= ESTIMATE_AFTER[0]:
            self._warm = (fraction, seconds)
        if not self._estimated and epoch == 0 and fraction >= ESTIMATE_AFTER[1]:
            self._estimated = True
            start, start_seconds = self._warm
            if fraction > start:
                rate = (seconds - start_seconds) / (fraction - start)
            else:  # the first report passed both marks: its own rate
                rate = seconds / max(fraction, 1e-12)
            estimate = seconds + rate * (self.n_epochs - fraction)
            if estimate >= ESTIMATE_MIN:
                self.message(
                    f"estimated training time {_duration(estimate)} "
                    f"({counted / max(seconds, 1e-9):,.0f} {self.unit}/s)"
                )
        if fraction >= 1.0 or time.perf_counter() - self._tic < PASS_QUIET:
            return
        self._progress_line(
            f"[{self.name}] epoch {epoch + 1}/{self.n_epochs}: {100 * fraction:5.1f}%, "
            f"{counted / max(seconds, 1e-9):,.0f} {self.unit}/s",
            fraction,
        )

    def start_reading(self):
        """Reading the documents begins."""
        self._tokens_read = 0
        self._last_draw = time.perf_counter()
        self._last_fraction = 0.0

    def reading(self, n_documents, total, n_tokens, seconds, done=False):
        """``n_tokens`` more tokens were read: ``n_documents`` documents so far
        (of ``total``; None when unknown), in ``seconds``; ``done`` at the end.
        Progress lines, and the line at the end, come once a pass has run
        ``PASS_QUIET`` seconds (a shorter read is summed up by the fit's next
        line)."""
        self._tokens_read += n_tokens
        if self.verbose < 1 or seconds < PASS_QUIET:
            return
        text = (
            f"reading: {n_documents:,} documents"
            + (f" of {total:,} ({100 * n_documents / total:.1f}%)" if total else "")
            + f", {self._tokens_read:,} tokens, {self._tokens_read / max(seconds, 1e-9):,.0f} tokens/s"
        )
        if done:
            self.message(f"{text}, {_duration(seconds)}")
        else:
            fraction = n_documents / total if total else 0.0
            if total:
                text += f", about {_duration(seconds * (1 - fraction) / max(fraction, 1e-12))} left"
            self._progress_line(f"[{self.name}] {text}", fraction)

    def counting(self, done, total, seconds):
        """``done`` of the ``total`` tokens were counted in ``seconds``."""
        if self.verbose < 1 or done >= total or total <= 0 or seconds < PASS_QUIET:
            return
        fraction = done / total
        self._progress_line(
            f"[{self.name}] counting pairs: {100 * fraction:.1f}% of {total:,} tokens, "
            f"{done / max(seconds, 1e-9):,.0f} tokens/s, "
            f"about {_duration(seconds * (1 - fraction) / max(fraction, 1e-12))} left",
            fraction,
        )

    def _progress_line(self, line, fraction):
        """Show ``line``: redrawn in place on a terminal, else printed every
        ``LINE_EVERY`` of the work or ``LINE_SECONDS``."""
        now = time.perf_counter()
        if fraction < self._last_fraction:  # a new pass over the work
            self._last_fraction = 0.0
        if self.terminal:
            if now - self._last_draw >= REDRAW_SECONDS:
                self._last_draw = now
                print(f"\r{line}", end="", file=self.stream, flush=True)
                self._open_line = len(line)
        elif (fraction - self._last_fraction >= LINE_EVERY) or (now - self._last_draw >= LINE_SECONDS):
            self._last_draw = now
            self._last_fraction = fraction
            print(line, file=self.stream, flush=True)

    def epoch(self, epoch, loss, units, seconds):
        """Epoch ``epoch``, whole after ``units`` parts, ended with mean loss ``loss``."""
        self._elapsed += seconds
        self._last_fraction = 0.0
        self.message(
            f"epoch {epoch + 1}/{self.n_epochs}: loss {loss:.4f}, "
            f"{self.counted(units, units) / max(seconds, 1e-9):,.0f} {self.unit}/s, "
            f"{self._elapsed:.1f} s elapsed"
        )

    def _end_line(self):
        """Erase the in-place progress line, so the next line takes its place."""
        if self._open_line:
            print("\r" + " " * self._open_line + "\r", end="", file=self.stream, flush=True)
            self._open_line = 0
