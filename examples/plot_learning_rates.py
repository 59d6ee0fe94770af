"""
=================================================
Learning rates: too small, about right, too large
=================================================

The learning rate is the first thing to tune. ``loss_curve_`` records the
mean training loss of each epoch, and :meth:`~skw2v.SkipGramVectorizer.score`
the mean log-probability of held-out context words (higher is better).

With the counts solver (``solver="counts"``, which the default
``solver="auto"`` chooses on corpora of under two million words, as this
one), training starts from the
spectral start, vectors that already place related words together, and each
epoch is a pass over the co-occurrence counts that turns them into a good
model of the softmax. What to look for: a rate far too small leaves the
model where it started (the held-out score stays at the start's); the
default learns most of what there is to learn in the first passes; far
larger rates stop improving the score, because each row's step then
saturates at what its curvature allows (no update may move a logit by more
than one nat), and ``fit`` warns that the rate is far too large. Nothing
turns into NaN. Every fit here shares one tokenization, one count and one
spectral start through ``memory``.
"""

# %%
import tempfile
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

# The labelled file in SKW2V_EXAMPLE_DATA, 20 newsgroups if cached, else the
# paragraphs of Python's documentation that ship with skw2v.
documents, _, _, description = load_example_corpus(n_documents=1500)
print(description)
train, held_out = documents[:1200], documents[1200:]
rates = [1e-5, 1e-3, 0.025, 1.0, 100.0]
epochs = [1, 2, 4, 8]
cache = tempfile.mkdtemp()

curves, scores = {}, {}
for rate in rates:
    scores[rate] = []
    for n in epochs:
        model = SkipGramVectorizer(
            vector_size=50, min_count=2, epochs=n, learning_rate=rate,
            min_learning_rate=min(1e-4, rate), memory=cache, random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # shown once, below
            model.fit(train)
        scores[rate].append(model.score(held_out))
    curves[rate] = model.loss_curve_  # the 8-epoch run
    print(f"learning_rate={rate:g}: final training loss {curves[rate][-1]:.3f}, "
          f"held-out score after {epochs[-1]} epochs {scores[rate][-1]:.3f}")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    SkipGramVectorizer(min_count=2, learning_rate=100.0, memory=cache, random_state=0).fit(train)
print("warning at learning_rate=100:", str(caught[0].message)[:90], "...")

# %%
# Loss per epoch, and held-out score against training length
# ----------------------------------------------------------
# (The rate decays linearly over the epochs asked for, so each point on the
# right is its own model trained for that many epochs.)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
styles = ["o-", "s--", "^-", "v-.", "D:"]  # distinct even where lines overlap
for rate, style in zip(rates, styles, strict=True):
    left.plot(range(1, len(curves[rate]) + 1), curves[rate], style, label=f"{rate:g}")
    right.plot(epochs, scores[rate], style, label=f"{rate:g}")
left.set(xlabel="epoch", ylabel="training loss (nats per context word)", title="loss_curve_")
right.set(xlabel="epochs trained", ylabel="held-out score (higher is better)", title="score")
right.set_xscale("log", base=2)
left.legend(title="learning_rate")
fig.tight_layout()
plt.show()
