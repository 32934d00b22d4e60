# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: reinforcement-learning/reinforcement-learning-basics.md}
# ---

# %% [markdown]
# # Exploration schedules on a bandit and a gridworld
# We check the page's worked example with value iteration, then compare ways of exploring: greedy, a fixed
# $\varepsilon$, a decaying $\varepsilon$, optimistic initial values and UCB on a 10-armed bandit (cumulative regret
# over 1,000 runs), and Q-learning with the same ideas on a gridworld with a near exit worth +1 and a far exit worth +10
# (return per episode over 15 seeds).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from mlguide.reinforcement_learning.bandits import Bandit, play, ucb1_regret_bound
from mlguide.reinforcement_learning.gridworld import SMALL_MAZE, GridWorld
from mlguide.reinforcement_learning.planning import greedy, policy_evaluation, q_from_v, value_iteration
from mlguide.reinforcement_learning.q_learning import q_learning

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
SEED = 0                      # the asserts below also hold with SEED = 100 and 200

# %% [markdown]
# ## The page's worked example: a corridor with a near and a far exit
# Five cells in a row: a terminal cell worth +1 on the left (the gridworld's `X`, here paying +1), the start, two
# empty cells, and a terminal goal worth +10 on the right. Moves cost nothing; a move off the map leaves the agent
# where it is. With $\gamma = 0.9$, synchronous value iteration from $V = 0$ gives, for the three non-terminal cells
# (start, middle, last), $(1, 0, 10)$ after one sweep, $(1, 9, 10)$ after two, $(8.1, 9, 10)$ after three, and stops
# after the fourth, which changes nothing. The start's action values are $1$ (left), $8.1$ (right) and
# $0.9 \cdot 8.1 = 7.29$ (up or down, a wasted step). With $\gamma = 0.3$ the far exit is worth only
# $0.3^2 \cdot 10 = 0.9$ from the start and the agent takes the +1: the policy flips at
# $\gamma = 1/\sqrt{10} \approx 0.316$.

# %%
corridor = GridWorld(("XS..G",), step_reward=0.0, pit_reward=1.0, goal_reward=10.0)
P, R = corridor.model()
s0 = corridor.start
LEFT, RIGHT, UP = 3, 1, 0

vi = value_iteration(P, R, gamma=0.9)
print("V* =", vi.values.round(3), "| sweeps:", vi.sweeps, "| deltas:", vi.deltas.round(3))
print("Q*(start) =", vi.q[s0].round(3), "(up, right, down, left)")
assert np.allclose(vi.values, [0, 8.1, 9, 10, 0]) and vi.sweeps == 4
assert np.allclose(vi.deltas, [10, 9, 7.1, 0])
assert np.allclose(vi.q[s0, [LEFT, RIGHT, UP]], [1, 8.1, 7.29]) and vi.policy[s0] == RIGHT

V = np.zeros(corridor.n_states)           # the same sweeps written out, to match the trace above
trace = []
for _ in range(3):
    V = (R + 0.9 * P @ V).max(axis=1)
    trace.append(V[1:4].round(3).tolist())
assert trace == [[1, 0, 10], [1, 9, 10], [8.1, 9, 10]]

myopic = value_iteration(P, R, gamma=0.3)
print("gamma = 0.3: V*(start) =", round(myopic.values[s0], 3), "Q*(start, right) =", round(myopic.q[s0, RIGHT], 3))
assert myopic.policy[s0] == LEFT and np.isclose(myopic.q[s0, RIGHT], 0.9)
for gamma in (0.30, 0.31, 0.32, 0.33):                 # the policy flips where gamma^2 * 10 = 1
    flips = value_iteration(P, R, gamma=gamma).policy[s0] == RIGHT
    assert flips == (gamma > 10 ** -0.5)

# %% [markdown]
# The Bellman expectation equation evaluates a fixed policy. "Always right" is optimal, so its values equal $V^*$;
# the policy that goes left from the start and right elsewhere is worth 1 at the start, and the middle cell, which
# moves right, still gets $0.9 \cdot 10 = 9$. One step of lookahead on its values gives
# $Q^\pi(\text{start}, \text{right}) = 0.9 \cdot 9 = 8.1 > 1$, so acting greedily on $Q^\pi$ improves it: one step of
# policy iteration. The horizons $1/(1 - \gamma)$ and the UCB follow-up's indices are checked here too.

# %%
always_right = np.full(corridor.n_states, RIGHT)
left_at_start = always_right.copy()
left_at_start[s0] = LEFT
assert np.allclose(policy_evaluation(P, R, always_right, 0.9), vi.values)
v_left = policy_evaluation(P, R, left_at_start, 0.9)
assert np.allclose(v_left[1:4], [1, 9, 10])
q_left = q_from_v(P, R, v_left, 0.9)
assert np.isclose(q_left[s0, RIGHT], 8.1) and greedy(q_left)[s0] == RIGHT   # policy improvement fixes the start
print("horizons 1/(1 - gamma):", {g: round(1 / (1 - g), 2) for g in (0.3, 0.9, 0.95, 0.99)})
assert np.allclose([1 / (1 - g) for g in (0.9, 0.3, 0.99)], [10, 1.43, 100], atol=0.01)
assert round(0.99 ** 100, 2) == 0.37                  # a reward 100 steps away at gamma = 0.99
ucb_index = np.array([0.2, 0.5, 0.9]) + np.sqrt(2 * np.log(4) / np.array([1, 1, 2]))   # UCB1, c = sqrt 2, t = 4
assert np.allclose(ucb_index, [1.865, 2.165, 2.077], atol=1e-3) and ucb_index.argmax() == 1

# %% [markdown]
# ## A 10-armed bandit
# Each of 1,000 runs draws its own bandit, as in Sutton and Barto's testbed (§2.3): ten arm means from $N(0, 1)$,
# rewards $N(\mu_a, 1)$, 1,000 pulls. The agents:
#
# - **greedy**: sample-average estimates starting at 0, always the best estimate;
# - **fixed $\varepsilon = 0.1$**: a random arm 10% of the time, for ever;
# - **decaying $\varepsilon_t = \min(1, 10/(t+1))$**: all random for ten pulls, then less and less;
# - **optimistic**: greedy, but every estimate starts at $Q_1 = 5$, far above any mean, with a constant step
#   $\alpha = 0.1$ (Sutton and Barto's figure 2.3);
# - **UCB**, $c = 1$: the arm maximising $Q(a) + c\sqrt{\ln t / N(a)}$.
#
# Regret is the pseudo-regret: the sum over pulls of $\mu^* - \mu_{A_t}$. A fixed $\varepsilon$ pays at least
# $\varepsilon\,(\mu^* - \bar\mu)$ per pull for ever, where $\bar\mu$ is the mean of the arm means: its random pulls
# land on an average arm. For the testbed $\mathbb E[\mu^* - \bar\mu]$ is the expected maximum of ten standard normals,
# about 1.54, so that floor is about 0.154 per pull.

# %%
RUNS, STEPS = 1000, 1000
rng = np.random.default_rng(SEED)
testbed = Bandit(rng.normal(size=(RUNS, 10)))
agents = {
    "greedy": dict(),
    "fixed ε = 0.1": dict(epsilon=0.1),
    "decaying ε = min(1, 10/(t+1))": dict(epsilon=lambda t: min(1.0, 10 / (t + 1))),
    "optimistic Q₁ = 5, α = 0.1": dict(q0=5.0, alpha=0.1),
    "UCB, c = 1": dict(ucb_c=1.0),
}
bandit_runs = {name: play(testbed, STEPS, runs=RUNS, rng=SEED + 1, **kw) for name, kw in agents.items()}
regret = {name: run.regret.mean(axis=0) for name, run in bandit_runs.items()}
best = {name: (np.take_along_axis(testbed.gaps, run.actions, axis=1) == 0).mean(axis=0)
        for name, run in bandit_runs.items()}
late_slope = {name: (r[-1] - r[STEPS // 2 - 1]) / (STEPS // 2) for name, r in regret.items()}
for name in agents:
    print(f"{name:32s} regret {regret[name][-1]:6.1f}  per pull, last 500: {late_slope[name]:.3f}  "
          f"best arm in the last 100 pulls: {best[name][-100:].mean():.2f}")
floor = 0.1 * testbed.gaps.mean()
print(f"fixed-ε floor 0.1 (μ* − mean μ) = {floor:.3f}")

# %%
greedy_name, fixed, decay, optimistic, ucb = agents
assert 0.14 < floor < 0.17
assert best[greedy_name][-100:].mean() < 0.45          # greedy is stuck on a worse arm in most runs
assert late_slope[greedy_name] > 0.4                     # and its regret keeps growing at the same rate
quarter = {name: [(r[(q + 1) * STEPS // 4 - 1] - r[q * STEPS // 4 - 1]) / (STEPS // 4) for q in (2, 3)]
           for name, r in regret.items()}
for name in (greedy_name, fixed):                        # a constant rate: the last quarter costs as much as the third
    assert quarter[name][1] > 0.85 * quarter[name][0]
assert floor < late_slope[fixed] < floor + 0.05          # fixed ε: linear regret, just above its floor
for name in (decay, optimistic, ucb):                    # the other three keep exploring less and less
    assert late_slope[name] < 0.5 * late_slope[fixed]
    assert regret[name][-1] - regret[name][STEPS // 2 - 1] < 0.5 * regret[name][STEPS // 2 - 1]
assert regret[optimistic][99] > regret[fixed][99]        # optimism pays up front...
assert late_slope[optimistic] < 0.35 * late_slope[fixed]   # ...and little later
assert regret[ucb][-1] < min(regret[n][-1] for n in (greedy_name, fixed, decay, optimistic))
assert regret[ucb][-1] < 0.35 * regret[fixed][-1]
assert 0.9 < regret[optimistic][-1] / regret[fixed][-1] < 1.15   # optimism ends level with fixed ε in total

# %% [markdown]
# UCB1's guarantee (Auer, Cesa-Bianchi and Fischer, 2002) is for rewards in $[0, 1]$ with $c = \sqrt 2$: expected
# regret at most $8 \sum_{a:\Delta_a > 0} \ln n / \Delta_a + (1 + \pi^2/3) \sum_a \Delta_a$ after $n$ pulls, with
# gaps $\Delta_a = \mu^* - \mu_a$. On three Bernoulli arms the measured regret sits far below that bound, which is loose
# in its constants but logarithmic in $n$.

# %%
bernoulli = [0.9, 0.8, 0.6]
ucb1 = play(Bandit(bernoulli, noise="bernoulli"), 2000, runs=300, ucb_c=np.sqrt(2), rng=SEED + 2)
ucb1_regret = ucb1.regret.mean(axis=0)
print(f"UCB1 regret after 2000 pulls: {ucb1_regret[-1]:.1f}; bound {ucb1_regret_bound(bernoulli, 2000):.1f}")
assert ucb1_regret[-1] < 0.5 * ucb1_regret_bound(bernoulli, 2000)
assert ucb1_regret[-1] - ucb1_regret[999] < 0.6 * ucb1_regret[999]   # the second 1,000 pulls cost less

# %% [markdown]
# ## A gridworld with a near exit and a far exit
# Four rows of six cells; the agent starts at the left of the second row. Two moves away is a terminal cell worth +1,
# seven moves away a terminal goal worth +10. Moves cost nothing and $\gamma = 0.95$, so the best return from the
# start is $0.95^6 \cdot 10 \approx 7.35$ through the far exit and $0.95 \cdot 1$ through the near one. Q-learning
# ($\alpha = 0.5$, 500 episodes of at most 200 moves) behaves four ways:
#
# - **fixed $\varepsilon = 0.1$**, estimates starting at 0;
# - **fast decay**, $\varepsilon_e = 1/(1 + e/50)$ in episode $e$;
# - **slow decay**, $\varepsilon_e = \max(0.05,\ 1 - e/300)$: random at first, 0.05 from episode 285;
# - **optimistic**, every estimate starting at 10, an upper bound on any return, and always greedy ($\varepsilon = 0$).
#
# The curve is the discounted return from the start of each training episode, averaged over 15 seeds: what the agent
# earns while it learns. After training we also evaluate its greedy policy exactly, with `policy_evaluation`.

# %%
TWO_EXITS = (".X....",
             "S.....",
             "......",
             ".....G")
GAMMA, EPISODES, SEEDS = 0.95, 500, range(SEED, SEED + 15)
world = GridWorld(TWO_EXITS, step_reward=0.0, pit_reward=1.0, goal_reward=10.0)
Pw, Rw = world.model()
v_star = value_iteration(Pw, Rw, GAMMA).values[world.start]
assert np.isclose(v_star, 10 * GAMMA ** 6)

schedules = {
    "fixed ε = 0.1": dict(epsilon=0.1),
    "fast decay 1/(1 + e/50)": dict(epsilon=lambda e: 1 / (1 + e / 50)),
    "slow decay max(0.05, 1 − e/300)": dict(epsilon=lambda e: max(0.05, 1 - e / 300)),
    "optimistic Q = 10, greedy": dict(epsilon=0.0, q0=10.0),
}
online, found = {}, {}
for name, kw in schedules.items():
    curves, finals = [], []
    for seed in SEEDS:
        result = q_learning(world, EPISODES, alpha=0.5, gamma=GAMMA, rng=seed, max_steps=200, **kw)
        curves.append(result.returns * GAMMA ** (result.lengths - 1))   # the only reward comes on the last move
        finals.append(policy_evaluation(Pw, Rw, greedy(result.q), GAMMA)[world.start])
    online[name], found[name] = np.array(curves), np.isclose(finals, v_star)
    print(f"{name:34s} mean return {online[name].mean():.2f}, last 100 episodes {online[name][:, -100:].mean():.2f};"
          f" greedy policy optimal in {found[name].sum()}/{len(SEEDS)} seeds")

# %%
fixed_g, fast, slow, optimistic_g = schedules
total = {name: curve.sum(axis=1).mean() for name, curve in online.items()}
assert found[fixed_g].sum() <= 1              # fixed ε almost never finds the far exit...
assert online[fixed_g][:, -100:].mean() < GAMMA * 1.0 + 0.05   # ...and settles on the near one
assert found[fast].mean() <= 0.5              # decaying too fast: ε falls to the fixed schedule's level first
assert found[slow].mean() >= 0.8              # decaying slowly finds it in most seeds...
assert found[optimistic_g].all()              # ...and optimism in every seed
assert online[optimistic_g][:, 100:200].mean() > 0.95 * v_star   # optimal from about episode 100
assert online[optimistic_g][:, :100].mean() > online[slow][:, :100].mean() + 2   # and much sooner
assert total[optimistic_g] > total[slow] > total[fast] > total[fixed_g]

# %% [markdown]
# With a cost of $-1$ per move and estimates starting at 0, as in most gridworld examples, the start is already
# optimistic: every true value is negative, so untried actions look best. A purely greedy Q-learner ($\varepsilon = 0$)
# then learns the shortest path of the maze, 15 moves.

# %%
maze = GridWorld(SMALL_MAZE)
assert maze.shortest_path_lengths()[maze.start] == 15
for seed in SEEDS[:3]:
    result = q_learning(maze, 200, alpha=0.5, gamma=1.0, epsilon=0.0, rng=seed)
    assert np.all(result.lengths[-20:] == 15)

# %% tags=["figure:reinforcement-learning-basics-exploration"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for name in agents:
    ax1.plot(np.arange(1, STEPS + 1), regret[name], label=name)
ax1.set(xlabel="pull", ylabel="cumulative regret (mean of 1,000 runs)", title="10-armed bandit")
ax1.legend(fontsize=8)
window = 20
for name, curve in online.items():
    smooth = np.convolve(curve.mean(axis=0), np.ones(window) / window, mode="valid")
    ax2.plot(np.arange(window, EPISODES + 1), smooth, label=name)
ax2.axhline(v_star, color="k", ls="--", lw=1, label=f"optimal {v_star:.2f}")
ax2.axhline(GAMMA * 1.0, color="grey", ls=":", lw=1, label="near exit 0.95")
ax2.set(xlabel="episode", ylabel="discounted return (mean of 15 seeds)", title="Q-learning, two exits")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
