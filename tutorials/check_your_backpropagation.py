r"""
# Check your own backpropagation

Backpropagation that is *almost* right still trains: a gradient that is five
times too large, or that points a little off, still makes the loss fall for
a while. Nothing crashes, and the bug shows up weeks later as "my network
trains worse than the report's". The cure every course teaches is to compare
each derivative of the cost with a **centred difference**,

$$
\frac{\partial C}{\partial \theta} \approx \frac{C(\theta + h) - C(\theta - h)}{2h},
$$

and to look at the relative error $|a - n| / \max(|a|, |n|)$ between the
analytic derivative $a$ and the numerical one $n$: $10^{-7}$ or less is
right, $10^{-2}$ or more is a bug.
[`check_gradients`][fyslearn.gradcheck.check_gradients] does this layer by
layer, with the details that make it trustworthy (kinks of ReLU, the L2 term
checked on its own, a sample of entries for large layers).

Here we write backpropagation by hand, plant the three classic bugs in it and
watch the checker catch each one; then we run the two sanity checks to do
before any long training. The whole page runs in a few seconds.
"""

# %%
# ## The checker on fyslearn's own network
#
# A small network with two tanh layers, a softmax output, cross-entropy and
# an L2 penalty $\alpha = 0.01$, on 8 random samples of 5 classes. The
# checker compares every entry of every kernel $W^l$ and bias $b^l$, first
# for the data loss, then for the L2 term $\alpha\sum_l\lVert W^l\rVert^2$.
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit

from fyslearn.datasets import load_mnist
from fyslearn.experiments import show_or_save
from fyslearn.gradcheck import GOOD, WRONG, check_gradients
from fyslearn.nn import FeedForwardNetwork, MLPClassifier
from fyslearn.nn.activations import Activation

rng = np.random.default_rng(0)
X = rng.normal(size=(8, 4))
Y = np.eye(5)[rng.integers(0, 5, size=8)]  # one-hot targets, 5 classes

layer_sizes = [4, 5, 5, 5]
activations = ["tanh", "tanh", "softmax"]
network = FeedForwardNetwork(
    layer_sizes, activations, loss="cross_entropy", alpha=0.01, random_state=0
)
print(check_gradients(network, X, Y))

# %%
# Every row is `good`: the analytic and numerical derivatives agree to 8 or 9
# digits. The columns show, per layer and term, how many entries were
# checked, the largest relative error, the entry where it occurs, both
# derivatives there, and how many steps $\pm h$ crossed a kink (none: tanh has
# no kink).
#
# ## Your own backpropagation
#
# Below is backpropagation written out as you would write it for the course:
# forward pass, output error, then the chain rule backwards (D3–D5), with
# batches as rows:
#
# $$
# \delta^L = \frac{1}{n}(a^L - y), \qquad
# \frac{\partial C}{\partial W^l} = (a^{l-1})^T \delta^l, \qquad
# \frac{\partial C}{\partial b^l} = \sum_{\text{rows}} \delta^l, \qquad
# \delta^{l-1} = \big(\delta^l (W^l)^T\big) \odot \sigma'(z^{l-1}).
# $$
#
# It subclasses [`FeedForwardNetwork`][fyslearn.nn.FeedForwardNetwork] and
# overrides only `loss_and_gradients`, so the checker compares *this* code
# with centred differences of the network's cost. `bug` plants one mistake.


class MyNetwork(FeedForwardNetwork):
    """Softmax output with cross-entropy, backpropagation by hand."""

    bug = None  # or "forgotten 1/n", "missing transpose", "L2 without the 2"

    def loss_and_gradients(self, X, Y):
        # forward pass: z^l = a^{l-1} W^l + b^l, a^l = σ(z^l)
        zs, a = [], [np.asarray(X, dtype=float)]
        for W, b, sigma in zip(self.coefs_, self.intercepts_, self.activations, strict=True):
            zs.append(a[-1] @ W + b)
            a.append(sigma(zs[-1]))
        cost = self.loss(Y, a[-1]) + self.penalty_value()

        n = len(X)
        delta = a[-1] - Y  # softmax + cross-entropy (D7) ...
        if self.bug != "forgotten 1/n":
            delta = delta / n  # ... of the *mean* loss
        coef_grads, intercept_grads = [], []
        for layer in reversed(range(len(self.coefs_))):
            W = self.coefs_[layer]
            dW = a[layer].T @ delta + 2 * self.alpha * W  # D5 + the L2 term
            if self.bug == "L2 without the 2":
                dW = a[layer].T @ delta + self.alpha * W
            coef_grads.insert(0, dW)
            intercept_grads.insert(0, delta.sum(axis=0))
            if layer > 0:  # D4
                back = delta @ W if self.bug == "missing transpose" else delta @ W.T
                delta = back * self.activations[layer - 1].derivative(zs[layer - 1])
        return cost, coef_grads, intercept_grads


mine = MyNetwork(layer_sizes, activations, loss="cross_entropy", alpha=0.01, random_state=0)
report = check_gradients(mine, X, Y)
print(report)
assert report.passed

# %%
# Without a bug it passes like the library's own code. Now the bugs.
#
# ### Bug 1: the forgotten $1/n$
#
# The cost is the *mean* over the $n$ samples, so every gradient carries a
# $1/n$. Forget it, and every gradient is $n$ times too large. Training still
# works, with a learning rate $n$ times too large in disguise (so it diverges
# at learning rates where the right code does not).
forgotten = MyNetwork(layer_sizes, activations, loss="cross_entropy", random_state=0)
forgotten.bug = "forgotten 1/n"
report_forgotten = check_gradients(forgotten, X, Y)
print(report_forgotten)

# %%
# Every layer is `wrong`, with the same relative error
# $(n - 1)/n = 7/8 = 0.875$: the analytic derivatives are 8 times the numerical
# ones.
#
# ### Bug 2: the missing transpose
#
# $\delta^l W^l$ instead of $\delta^l (W^l)^T$. With kernels of shape
# `(n_in, n_out)` the product only runs when $W^l$ is square, and that is
# why the bug survives: it hides in networks whose hidden layers have equal
# widths, like ours (5–5–5).
transposed = MyNetwork(layer_sizes, activations, loss="cross_entropy", random_state=0)
transposed.bug = "missing transpose"
report_transposed = check_gradients(transposed, X, Y)
print(report_transposed)

# %%
# The output layer is `good` (its gradient $(a^2)^T\delta^3$ comes before the
# first transpose); layers 2 and 1, which receive the error through the wrong
# product, are `wrong`.
#
# ### Bug 3: $\sigma' = \sigma$
#
# The sigmoid's derivative is $\sigma(1 - \sigma)$. Writing $\sigma$ instead
# is easy when the forward and the backward functions sit side by side. Here
# the bug is in a custom
# [`Activation`][fyslearn.nn.activations.Activation], used by fyslearn's own
# backpropagation: the checker tests your activation as much as your
# backpropagation.


class SigmoidWithWrongDerivative(Activation):
    name = "sigmoid_with_wrong_derivative"

    def __call__(self, z, out=None):
        return expit(z, out=out)  # σ(z), computed without overflow

    def derivative(self, z, a=None):
        return expit(z)  # the bug: should be expit(z) * (1 - expit(z))


wrong_sigmoid = FeedForwardNetwork(
    layer_sizes,
    [SigmoidWithWrongDerivative(), SigmoidWithWrongDerivative(), "softmax"],
    loss="cross_entropy",
    random_state=0,
)
report_sigmoid = check_gradients(wrong_sigmoid, X, Y)
print(report_sigmoid)

# %%
# Again the output layer is fine and both hidden layers are `wrong`. The figure
# sums up: the largest relative error of each layer's data loss, for the right
# code and for the three bugs, against the two thresholds.
reports = {
    "right": report,
    "forgotten 1/n": report_forgotten,
    "missing transpose": report_transposed,
    "σ' = σ": report_sigmoid,
}
fig, ax = plt.subplots(figsize=(7, 3.5))
width = 0.2
for k, (name, checked) in enumerate(reports.items()):
    rows = [row for row in checked.layers if row.term == "data loss"]
    errors = [max(row.max_relative_error, 1e-16) for row in rows]
    ax.bar(np.arange(1, len(rows) + 1) + (k - 1.5) * width, errors, width, label=name)
ax.axhline(GOOD, color="green", linestyle="--", linewidth=1)
ax.axhline(WRONG, color="red", linestyle="--", linewidth=1)
ax.text(3.45, GOOD * 2, "good", color="green", ha="right")
ax.text(3.45, WRONG * 2, "wrong", color="red", ha="right")
ax.set(yscale="log", xlabel="layer $l$", ylabel="largest relative error", xticks=[1, 2, 3])
ax.legend(fontsize="small", ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0))
fig.tight_layout()

# %%
# ## A network of real size, and a kink
#
# For the report's MNIST network, 784–128–10 with ReLU, the first kernel alone
# has 100 352 entries, and every one costs two forward passes. The checker
# draws a random sample instead (`max_entries_per_layer`, at most half of it
# from the biases). We add a blank image (all zeros) to 20 MNIST digits:
# with the report's zero biases, every hidden unit then has $z = 0$ for that
# image, exactly at the ReLU's kink.
X_train, y_train, _, _ = load_mnist()
X_digits = np.vstack([X_train[:20], np.zeros((1, 784))])
Y_digits = np.eye(10)[np.append(y_train[:20], 0)]
mnist_network = FeedForwardNetwork(
    [784, 128, 10], ["relu", "softmax"], loss="cross_entropy", random_state=0
)
report_mnist = check_gradients(mnist_network, X_digits, Y_digits, max_entries_per_layer=40)
print(report_mnist)

# %%
# A step $b^1_j \pm h$ moves $z_j$ of the blank image to $\pm h$, on both sides
# of the kink: the centred difference then averages the slopes 0 and 1, while
# backpropagation uses the slope 0 (the convention at $z = 0$). The checker
# notices the sign change of $z$ during the two forward passes, lists the
# entries as kinks and leaves them out of the verdict; the kernel entries,
# whose steps do not move the blank image's $z$, are judged as usual.
first = report_mnist.layers[0]
for label, a, n, error, kink in zip(
    first.entries, first.analytic, first.numeric, first.relative_error, first.at_kink, strict=True
):
    if kink:
        print(f"{label:10} analytic {a: .3e}  numeric {n: .3e}  relative error {error:.1e}")
        break
print(f"{first.n_kinks} of {first.n_checked} checked entries of layer 1 are at a kink")

# %%
# ## Sanity check 1: the loss before training
#
# A softmax over 10 classes whose inputs (the logits) are all about equal
# gives each class probability $1/10$, so the initial cross-entropy must be
# close to $-\ln(1/10) = \ln 10 \approx 2.303$. A value of 23 or 0.23 means a
# wrong loss (summed instead of averaged, a logarithm of logits, labels not
# one-hot) before any gradient is involved.
Y_train = np.eye(10)[y_train[:1000]]
fresh = FeedForwardNetwork(
    [784, 128, 10], ["relu", "softmax"], loss="cross_entropy", random_state=0
)
print(f"initial loss {fresh.loss_value(X_train[:1000], Y_train):.4f}, ln 10 = {np.log(10):.4f}")
fresh.coefs_[-1] *= 0.01  # nearly equal logits
print(f"with a 100 times smaller output kernel: {fresh.loss_value(X_train[:1000], Y_train):.4f}")

# %%
# With Glorot's initial weights the logits are not quite equal, so the loss is
# slightly above $\ln 10$; with a tiny output kernel it is within $10^{-3}$
# of $\ln 10$.
#
# ## Sanity check 2: overfit 20 samples
#
# A network with 100 000 weights must be able to memorise 20 digits: the
# training loss should go to about 0 and the accuracy to 1. If it stalls,
# something (gradients, update, learning rate) is broken, and no amount of
# training on 60 000 digits will help.
few = np.concatenate([np.flatnonzero(y_train == digit)[:2] for digit in range(10)])
overfit = MLPClassifier(
    hidden_layer_sizes=(128,), learning_rate=0.1, batch_size=5, epochs=200, random_state=0
)
overfit.fit(X_train[few], y_train[few])
loss = overfit.history_["cross_entropy"]
print(f"cross-entropy: epoch 1 {loss[0]:.3f}, epoch {len(loss)} {loss[-1]:.5f}")
print(f"training accuracy {overfit.score(X_train[few], y_train[few]):.2f}")

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(np.arange(1, len(loss) + 1), loss)
ax.set(yscale="log", xlabel="epoch", ylabel="training cross-entropy", title="20 digits")
fig.tight_layout()

# %%
# ## Exercises
#
# 1. Check the network with the forgotten $1/n$ on a single sample,
#    `X[:1]`, `Y[:1]`. What does the checker say, and why? What does that tell
#    you about the data to check with?
#
#     ??? success "Solution"
#         With $n = 1$ the missing factor $1/n$ is 1: the bug is invisible. Check
#         with several samples (and several classes).
#
#         ```python
#         def one_sample_check():
#             return check_gradients(forgotten, X[:1], Y[:1])
#
#
#         print(one_sample_check().passed)  # True
#         ```
#
# 2. `MyNetwork` has a fourth bug, `"L2 without the 2"`: the gradient of
#    $\alpha\lVert W\rVert^2$ written as $\alpha W$. Plant it (with
#    $\alpha = 0.1$): which rows of the report fail?
#
#     ??? success "Solution"
#         Only the `L2 penalty` rows, for every layer: the checker compares the
#         data loss and the L2 term apart, so a small penalty's mistake is not
#         hidden behind a large data gradient.
#
#         ```python
#         def l2_bug_check():
#             buggy = MyNetwork(layer_sizes, activations, loss="cross_entropy", alpha=0.1)
#             buggy.bug = "L2 without the 2"
#             return check_gradients(buggy, X, Y)
#
#
#         print(l2_bug_check())
#         ```
#
# 3. In the MNIST example, make the kinks go away without touching the code
#    or the data. (Hint: what puts the blank image's $z$ exactly at 0?)
#
#     ??? success "Solution"
#         The blank image gives $z^1 = b^1$, which is 0 with zero biases. Any
#         bias further than $h$ from 0 moves it off the kink, for instance
#         $b^1 = 0.01$:
#
#         ```python
#         def kink_free_check():
#             network = FeedForwardNetwork(
#                 [784, 128, 10], ["relu", "softmax"], loss="cross_entropy", random_state=0
#             )
#             network.intercepts_[0][:] = 0.01
#             return check_gradients(network, X_digits, Y_digits, max_entries_per_layer=40)
#
#
#         print(sum(row.n_kinks for row in kink_free_check().layers))  # 0
#         ```

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("check_your_backpropagation")
