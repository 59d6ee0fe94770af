"""
=================================================
Learning rates: too small, about right, too large
=================================================

The learning rate is the first thing to tune. ``loss_curve_`` records the
mean training loss of each epoch, and :meth:`~skw2v.SkipGramVectorizer.score`
the mean log-probability of held-out context words (higher is better).

What to look for: a rate far too small leaves the loss flat at its starting
value, log(vocabulary size), and the held-out score with it: nothing is
learned in the epochs given. Where the loss does fall, larger rates learn
faster, up to a point. Far above that point skw2v's step rule saturates
instead of diverging (each row takes the step sequential SGD would take, and
no update may move a logit by more than one nat), so a huge rate trains like
a merely large one: too large shows up as a loss that stops improving, never
as NaN (should the loss ever become non-finite, ``fit`` raises an error naming
``learning_rate``). On small corpora trained for few epochs, word2vec's
default of 0.025 can sit on the slow side; the curves show it.
"""

# %%
import matplotlib.pyplot as plt

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

# The labelled file in SKW2V_EXAMPLE_DATA, 20 newsgroups if cached, else generated.
documents, _, _, description = load_example_corpus(n_documents=600)
print(description)
train, held_out = documents[:500], documents[500:600]
rates = [0.0005, 0.005, 0.025, 0.25, 2.5, 5000.0]
epochs = [1, 2, 4, 8]

curves, scores = {}, {}
for rate in rates:
    scores[rate] = []
    for n in epochs:
        model = SkipGramVectorizer(
            vector_size=30, min_count=2, max_features=3000, epochs=n, learning_rate=rate,
            min_learning_rate=min(1e-4, rate), random_state=0,
        ).fit(train)
        scores[rate].append(model.score(held_out))
    curves[rate] = model.loss_curve_  # the 8-epoch run
    print(f"learning_rate={rate:g}: final training loss {curves[rate][-1]:.3f}, "
          f"held-out score after {epochs[-1]} epochs {scores[rate][-1]:.3f}")

# %%
# Loss per epoch, and held-out score against training length
# ----------------------------------------------------------
# (The rate decays linearly over the epochs asked for, so each point on the
# right is its own model trained for that many epochs.)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
styles = ["o-", "s--", "^-", "v-.", "D:", "x-"]  # distinct even where lines overlap
for rate, style in zip(rates, styles):
    left.plot(range(1, len(curves[rate]) + 1), curves[rate], style, label=f"{rate:g}")
    right.plot(epochs, scores[rate], style, label=f"{rate:g}")
left.set(xlabel="epoch", ylabel="training loss (nats per context word)", title="loss_curve_")
right.set(xlabel="epochs trained", ylabel="held-out score (higher is better)", title="score")
right.set_xscale("log", base=2)
left.legend(title="learning_rate")
fig.tight_layout()
plt.show()
