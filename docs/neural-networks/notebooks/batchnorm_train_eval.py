# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: neural-networks/batch-normalization.md}
# ---

# %% [markdown]
# # Batch normalization: train mode, eval mode, learning rates and small batches
# We check the page's worked example and a NumPy batch-norm layer against PyTorch, then train six-layer networks on
# scikit-learn's digits with and without batch norm over a range of learning rates. Finally we show how one image's
# output depends on the batch it shares in train mode, and how batch norm breaks down with tiny batches while layer
# norm does not.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

from mlguide.neural_networks.batchnorm import batchnorm_backward, batchnorm_forward, layernorm_forward

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
SEED = 0
torch.set_num_threads(1)

# %% [markdown]
# ## The worked example: a batch of four numbers
# One feature takes the values 2, 4, 4, 10 in a batch. The mean is 5, the deviations are $-3, -1, -1, 5$, the
# (biased) variance is $36/4 = 9$ and the standard deviation 3, so $\hat x = (-1, -\tfrac13, -\tfrac13, \tfrac53)$.
# With $\gamma = 2$ and $\beta = 0.5$ the output is $(-1.5, -\tfrac16, -\tfrac16, \tfrac{23}{6})$. Starting from
# PyTorch's initial running statistics (mean 0, variance 1) with momentum 0.1, the running mean becomes
# $0.1 \cdot 5 = 0.5$ and the running variance $0.9 \cdot 1 + 0.1 \cdot 36/3 = 2.1$: the unbiased variance 12, not 9.
# In eval mode the value 4 then maps to $2 \cdot (4 - 0.5)/\sqrt{2.1} + 0.5 \approx 5.33$, against $-0.17$ in train
# mode: early in training the running statistics lag far behind the batch.

# %%
x4 = np.array([[2.0], [4.0], [4.0], [10.0]])
y4, cache4, run_mean, run_var = batchnorm_forward(x4, [2.0], [0.5], [0.0], [1.0], momentum=0.1)
print("output:", y4.ravel().round(4), " running mean:", run_mean, " running var:", run_var)

bn_t = nn.BatchNorm1d(1, momentum=0.1, dtype=torch.float64)
with torch.no_grad():
    bn_t.weight.fill_(2.0)
    bn_t.bias.fill_(0.5)
x4_t = torch.tensor(x4, requires_grad=True)
y4_t = bn_t(x4_t)

# %%
assert np.allclose(y4.ravel(), [-1.5, -1 / 6, -1 / 6, 23 / 6], atol=1e-5)   # eps = 1e-5: a change below 1e-5
assert np.allclose(run_mean, [0.5]) and np.allclose(run_var, [2.1])
assert np.allclose(y4, y4_t.detach().numpy(), atol=1e-12)
assert np.allclose(run_var, bn_t.running_var.numpy()) and np.allclose(run_mean, bn_t.running_mean.numpy())
y_eval4 = batchnorm_forward(np.array([[4.0]]), [2.0], [0.5], run_mean, run_var, training=False)[0].item()
assert np.isclose(y_eval4, 2 * 3.5 / np.sqrt(2.1) + 0.5) and np.isclose(y_eval4, 5.33, atol=5e-3)
assert np.isclose(y4[1, 0], -1 / 6, atol=1e-5)                     # the same value 4 in train mode

# %% [markdown]
# The backward pass. With upstream gradient $g = \partial L/\partial y = (1, 0, 0, 0)$ and $\gamma = 1$, the sums are
# $\sum_j g_j = 1$ and $\sum_j g_j \hat x_j = -1$, so the page's formula gives
# $\partial L/\partial x = \frac{1}{4 \cdot 3}(4g - 1 + \hat x) = (\tfrac16, -\tfrac19, -\tfrac19, \tfrac1{18})$.
# The gradient sums to zero and is orthogonal to $\hat x$, because shifting or scaling the whole batch changes nothing
# downstream.

# %%
_, cache1, _, _ = batchnorm_forward(x4, [1.0], [0.0], [0.0], [1.0])
dx4, dgamma4, dbeta4 = batchnorm_backward(np.array([[1.0], [0.0], [0.0], [0.0]]), cache1)
print("dL/dx:", dx4.ravel().round(5), " dL/dgamma:", dgamma4, " dL/dbeta:", dbeta4)
y4_t.backward(torch.tensor([[1.0], [0.0], [0.0], [0.0]], dtype=torch.float64))

# %%
assert np.allclose(dx4.ravel(), [1 / 6, -1 / 9, -1 / 9, 1 / 18], atol=1e-6)
assert abs(dx4.sum()) < 1e-12 and abs(float(dx4.ravel() @ cache1[0].ravel())) < 1e-6   # exactly 0 when eps = 0
assert np.allclose(dgamma4, [-1.0], atol=1e-6) and np.allclose(dbeta4, [1.0])
assert np.allclose(2.0 * dx4, x4_t.grad.numpy(), atol=1e-12)      # torch's layer has gamma = 2: dx scales with gamma

# %% [markdown]
# ## Data and networks
# The 1,797 digits (8×8 images, pixel values divided by 16), 1,200 for training and 597 for testing. Each network has
# six hidden layers of 64 ReLU units. With batch norm each `Linear` has no bias (the mean subtraction would cancel it)
# and is followed by `BatchNorm1d` (or `LayerNorm`) before the ReLU. All weights start from He initialization,
# $\mathcal N(0, 2/\text{fan-in})$, so the network without normalization starts well scaled too.

# %%
X_all, y_all = load_digits(return_X_y=True)
perm = np.random.default_rng(0).permutation(len(X_all))
X_all = torch.tensor(X_all[perm] / 16.0, dtype=torch.float32)
y_all = torch.tensor(y_all[perm])
Xtr, ytr, Xte, yte = X_all[:1200], y_all[:1200], X_all[1200:], y_all[1200:]


def make_net(norm=None, depth=6, width=64):
    layers, d = [], Xtr.shape[1]
    for _ in range(depth):
        layers.append(nn.Linear(d, width, bias=norm is None))
        if norm == "bn":
            layers.append(nn.BatchNorm1d(width))
        elif norm == "ln":
            layers.append(nn.LayerNorm(width))
        layers.append(nn.ReLU())
        d = width
    layers.append(nn.Linear(d, 10))
    for layer in layers:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


def train(norm, lr, batch_size, steps, seed):
    """Plain SGD on shuffled mini-batches; returns the model (in eval mode) and whether the loss stayed finite."""
    torch.manual_seed(seed)
    model = make_net(norm)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    step = 0
    while step < steps:
        order = torch.randperm(len(Xtr), generator=gen)
        for i in range(0, len(Xtr) - batch_size + 1, batch_size):
            idx = order[i:i + batch_size]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            if not torch.isfinite(loss):
                return model.eval(), False
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step == steps:
                break
    return model.eval(), True


def accuracy(model):
    with torch.no_grad():
        return (model(Xte).argmax(1) == yte).float().mean().item()


# %% [markdown]
# ## A range of learning rates
# Both networks get the same 111 steps of plain SGD (about three epochs of batches of 32) at each learning rate on a
# log grid from 0.01 to 3. A run whose loss becomes infinite or NaN is marked as diverged. Test accuracy is measured
# in eval mode.

# %%
lrs = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
acc_lr, finite_lr = {}, {}
for norm in (None, "bn"):
    for lr in lrs:
        model, ok = train(norm, lr, 32, 111, SEED)
        acc_lr[norm, lr], finite_lr[norm, lr] = (accuracy(model) if ok else float("nan")), ok
        if norm == "bn" and lr == 0.3:
            bn_model = model
for norm in (None, "bn"):
    print(f"{str(norm):>4}:", "  ".join(f"{lr:g}: {acc_lr[norm, lr]:.2f}" for lr in lrs))
good = {norm: [lr for lr in lrs if acc_lr[norm, lr] >= 0.8] for norm in (None, "bn")}
print("learning rates reaching 80% test accuracy:", good)

# %% [markdown]
# Without batch norm at most two learning rates (0.1, sometimes 0.03) reach 80%, accuracy falls at 0.3, and every
# rate from 1 up diverges or stays at chance. With batch norm every rate from 0.03 to 1 reaches 80% (here 3 as well;
# with other seeds 3 falls short). At 0.01 both are too slow to reach 80% in 111 steps.

# %%
assert len(good[None]) <= 2 and max(good[None]) <= 0.1
assert all(not finite_lr[None, lr] or acc_lr[None, lr] < 0.2 for lr in lrs if lr >= 1.0)
assert acc_lr[None, 0.3] < acc_lr[None, 0.1]
assert {0.03, 0.1, 0.3, 1.0} <= set(good["bn"])
assert all(b - a < 1.1 for a, b in zip(np.log10(good["bn"]), np.log10(good["bn"])[1:]))   # consecutive points
assert max(acc_lr["bn", lr] for lr in lrs) > max(acc_lr[None, lr] for lr in lrs if finite_lr[None, lr]) + 0.03
assert acc_lr["bn", 0.01] < 0.8 and acc_lr[None, 0.01] < 0.8        # too small a step is too slow for both

# %% [markdown]
# ## Scale invariance
# A bias-free layer followed by batch norm computes the same function when its weights are multiplied by any $a > 0$,
# and its weight gradient is divided by $a$ and orthogonal to the weights. We scale the first layer of the trained
# network by 10 and check both, in train mode on one batch.

# %%
xb, yb = Xtr[:64], ytr[:64]
net_copy = [make_net("bn") for _ in range(2)]
grads, outs = [], []
for a, m in zip((1.0, 10.0), net_copy):
    m.load_state_dict(bn_model.state_dict())
    with torch.no_grad():
        m[0].weight.mul_(a)
    m.train()
    out = m(xb)
    F.cross_entropy(out, yb).backward()
    outs.append(out.detach())
    grads.append(m[0].weight.grad.clone())
W0 = bn_model[0].weight.detach()
print("max output change:", (outs[0] - outs[1]).abs().max().item(),
      " gradient-norm ratio:", (grads[0].norm() / grads[1].norm()).item(),
      " cos(W, grad):", (F.cosine_similarity(W0.flatten(), grads[0].flatten(), dim=0)).item())

# %%
assert torch.allclose(outs[0], outs[1], atol=1e-3)      # float32 rounding only
assert abs((grads[0].norm() / grads[1].norm()).item() - 10.0) < 0.01
assert abs(F.cosine_similarity(W0.flatten(), grads[0].flatten(), dim=0).item()) < 1e-3

# %% [markdown]
# ## Train mode versus eval mode
# First the NumPy layer: the trained network's first batch-norm layer, fed the same 64 pre-activations, gives the
# same output as `batchnorm_forward` in both modes. Then we take the test image whose eval-mode probability for its
# true class is closest to 0.8 and place it in 300 random batches with 7 other test images, with the network in train
# mode: the probability changes with its company, from near 0 to near 1, and the image is misclassified in a sizeable
# share of the batches (30–72% for this seed, depending on the libraries' floating-point code paths, which change the
# trained network and so which image is picked; 48–77% across seeds on another machine), although eval mode
# classifies it correctly. In eval mode it is one number, whatever the batch.

# %%
bn_layer = bn_model[1]
with torch.no_grad():
    h = bn_model[0](Xte[:64]).double()
    params = [t.detach().double().numpy() for t in (bn_layer.weight, bn_layer.bias,
                                                     bn_layer.running_mean, bn_layer.running_var)]
    ours_eval, *_ = batchnorm_forward(h.numpy(), *params, training=False)
    ours_train, *_ = batchnorm_forward(h.numpy(), *params, training=True)
    theirs_eval = bn_layer.double().eval()(h).numpy()
    theirs_train = F.batch_norm(h, None, None, bn_layer.weight.double(), bn_layer.bias.double(), training=True).numpy()
    bn_layer.float()
assert np.allclose(ours_eval, theirs_eval, atol=1e-9) and np.allclose(ours_train, theirs_train, atol=1e-9)

# %%
with torch.no_grad():
    p_all = F.softmax(bn_model(Xte), dim=1)[torch.arange(len(Xte)), yte].numpy()
target = int(np.argmin(np.abs(p_all - 0.8)))         # a correctly classified image the model is fairly sure of
others = np.delete(np.arange(len(Xte)), target)
rng = np.random.default_rng(SEED)
p_train, wrong = [], []
bn_model.train()
saved = {k: v.clone() for k, v in bn_model.state_dict().items()}
with torch.no_grad():
    for _ in range(300):
        idx = np.concatenate([[target], rng.choice(others, size=7, replace=False)])
        probs = F.softmax(bn_model(Xte[idx]), dim=1)[0]
        p_train.append(probs[yte[target]].item())
        wrong.append(probs.argmax().item() != yte[target].item())
    moved = (bn_model[1].running_mean - saved["1.running_mean"]).abs().max().item()
    bn_model.load_state_dict(saved)
    bn_model.eval()
    p_eval = [F.softmax(bn_model(Xte[np.concatenate([[target], rng.choice(others, 7, replace=False)])]), dim=1)
              [0, yte[target]].item() for _ in range(300)]
p_train = np.array(p_train)
print(f"train mode: p(true class) from {p_train.min():.3f} to {p_train.max():.3f} (sd {p_train.std():.3f}); "
      f"eval mode: {min(p_eval):.3f} to {max(p_eval):.3f}")
print(f"misclassified in {np.mean(wrong):.0%} of the train-mode batches")
print(f"running mean moved by up to {moved:.3f} under torch.no_grad() in train mode")

# %% [markdown]
# `torch.no_grad()` does not stop the update: calling a network in train mode on test data moves its running
# statistics, so forgetting `model.eval()` both adds noise and silently changes the model.

# %%
assert 0.7 < p_eval[0] < 0.9
assert p_train.min() < 0.05 and p_train.max() > 0.9 and np.mean(wrong) > 0.25
assert max(p_eval) - min(p_eval) < 1e-6        # the same whatever the batch (to float rounding)
assert moved > 1e-3

# %% [markdown]
# The same bug over the whole test set: predicting in train mode, batch by batch, against eval mode.


# %%
def train_mode_accuracy(model, batch_size, seed=0):
    """Test accuracy when predictions are made in train mode on random batches (running statistics restored)."""
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    order = torch.randperm(len(Xte), generator=torch.Generator().manual_seed(seed))
    correct = n = 0
    with torch.no_grad():
        for i in range(0, len(Xte) - batch_size + 1, batch_size):
            idx = order[i:i + batch_size]
            correct += (model(Xte[idx]).argmax(1) == yte[idx]).sum().item()
            n += len(idx)
    model.load_state_dict(saved)
    model.eval()
    return correct / n


tm_acc = {b: train_mode_accuracy(bn_model, b) for b in (4, 32, 597)}
print(f"eval mode {accuracy(bn_model):.3f}; train mode with test batches of",
      {b: round(a, 3) for b, a in tm_acc.items()})

# %%
assert accuracy(bn_model) > 0.94 and 0.5 < tm_acc[4] < 0.7      # small test batches: much worse
assert abs(tm_acc[597] - accuracy(bn_model)) < 0.03   # the whole test set as one batch: close to eval mode

# %% [markdown]
# ## Small training batches
# Batch norm and layer norm networks trained with batches of 2, 4 and 32, for 300 steps at learning rate 0.05.
# With two values per feature, batch norm's $\hat x$ is exactly $\pm 1$ (up to $\epsilon$), so each layer passes on
# only which of the two examples is larger. Eval-mode accuracy measures what the running statistics deliver.

# %%
xb2, _, _, _ = batchnorm_forward(np.random.default_rng(1).normal(size=(2, 5)), np.ones(5), np.zeros(5),
                                 np.zeros(5), np.ones(5), eps=1e-12)
assert np.allclose(np.abs(xb2), 1.0)

batch_sizes = [2, 4, 32]
acc_bs = {}
for b in batch_sizes:
    for norm in ("bn", "ln"):
        model, ok = train(norm, 0.05, b, 300, SEED)
        assert ok
        acc_bs[norm, b] = accuracy(model)
for norm in ("bn", "ln"):
    print(f"{norm}:", "  ".join(f"batch {b}: {acc_bs[norm, b]:.2f}" for b in batch_sizes))

# %%
assert acc_bs["bn", 2] < 0.35 and acc_bs["ln", 2] > acc_bs["bn", 2] + 0.25
assert acc_bs["bn", 32] > 0.9 and abs(acc_bs["bn", 32] - acc_bs["ln", 32]) < 0.05
assert acc_bs["bn", 2] < acc_bs["bn", 4] < acc_bs["bn", 32]

# %% [markdown]
# ## The figure

# %% tags=["figure:batch-normalization-train-eval-lr-batch"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
ax = axes[0]
ax.hist(p_train, bins=25, color="tab:blue", alpha=0.8, label="train mode, 300 batches")
ax.axvline(p_eval[0], color="black", lw=2, label="eval mode, any batch")
ax.set_xlabel("p(true class) for one test image")
ax.set_ylabel("batches")
ax.set_title("Same image, different batches of 8")
ax.legend(fontsize=8, loc="upper center")

ax = axes[1]
for norm, label, colour in ((None, "no normalization", "tab:red"), ("bn", "batch norm", "tab:blue")):
    acc = [acc_lr[norm, lr] for lr in lrs]
    ax.plot(lrs, acc, "o-", color=colour, label=label)
    for lr in lrs:
        if not finite_lr[norm, lr]:
            ax.plot(lr, 0.02, "x", color=colour, ms=9, mew=2)
ax.set_xscale("log")
ax.set_ylim(0, 1)
ax.set_xlabel("learning rate (SGD, 111 steps)")
ax.set_ylabel("test accuracy")
ax.set_title("Learning rates that train (x: diverged)")
ax.legend(fontsize=8, loc="lower left")

ax = axes[2]
for norm, label, colour in (("bn", "batch norm", "tab:blue"), ("ln", "layer norm", "tab:green")):
    ax.plot(batch_sizes, [acc_bs[norm, b] for b in batch_sizes], "o-", color=colour, label=label)
ax.set_xscale("log", base=2)
ax.set_xticks(batch_sizes, [str(b) for b in batch_sizes])
ax.set_ylim(0, 1)
ax.set_xlabel("training batch size (300 steps)")
ax.set_ylabel("test accuracy (eval mode)")
ax.set_title("Tiny batches break batch norm")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Layer norm's forward pass in NumPy matches `nn.LayerNorm` on the same hidden activations.

# %%
ln_t = nn.LayerNorm(64, dtype=torch.float64)
with torch.no_grad():
    ln_t.weight.uniform_(0.5, 2.0)
    ln_t.bias.normal_()
    assert np.allclose(layernorm_forward(h.numpy(), ln_t.weight.numpy(), ln_t.bias.numpy()), ln_t(h).numpy(),
                       atol=1e-10)

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
