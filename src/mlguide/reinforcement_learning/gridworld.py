"""A gridworld Markov decision process: a map of cells, four moves, optional slipping, and its exact model.

Map characters: `S` start, `G` goal (terminal), `X` pit (terminal), `C` cliff (entering it costs `cliff_reward` and
sends the agent back to the start, as in Sutton and Barto's cliff walking), `#` wall, `.` free. A move into a wall or
off the map leaves the agent where it is. With probability `slip` the agent moves in one of the two perpendicular
directions instead (half each). Every move costs `step_reward`, and entering the goal or a pit adds `goal_reward` or
`pit_reward`; a move into the cliff costs `cliff_reward` instead (-100, as in the book). Terminal states are absorbing with reward 0, so their value is 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ACTIONS = ("up", "right", "down", "left")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
ARROWS = "↑→↓←"

CLIFF_WALKING = ("............",
                 "............",
                 "............",
                 "SCCCCCCCCCCG")
SMALL_MAZE = ("S..#....",
              ".#.#.##.",
              ".#...#..",
              ".####.#.",
              "......#G")


class GridWorld:
    """The MDP of a map: states are the non-wall cells, numbered row by row."""

    def __init__(self, layout: Sequence[str], *, slip: float = 0.0, step_reward: float = -1.0,
                 goal_reward: float = 0.0, pit_reward: float = -10.0, cliff_reward: float = -100.0):
        rows = [str(row) for row in layout]
        if not rows or len({len(row) for row in rows}) != 1:
            raise ValueError("layout must be a non-empty list of rows of equal length")
        unknown = set("".join(rows)) - set("SGXC#.")
        if unknown:
            raise ValueError(f"layout has unknown cell characters {sorted(unknown)}; use S G X C # .")
        if "".join(rows).count("S") != 1:
            raise ValueError("layout needs exactly one start cell 'S'")
        if "G" not in "".join(rows) and "X" not in "".join(rows):
            raise ValueError("layout needs at least one terminal cell ('G' or 'X')")
        if not 0.0 <= slip < 1.0:
            raise ValueError(f"slip must be in [0, 1), got {slip}")
        self.layout, self.slip = rows, float(slip)
        self.rewards = {"step": float(step_reward), "G": float(goal_reward), "X": float(pit_reward),
                        "C": float(cliff_reward)}
        self.cells = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch != "#"]
        self.index = {cell: s for s, cell in enumerate(self.cells)}
        self.kind = [rows[r][c] for r, c in self.cells]
        self.start = self.kind.index("S")
        self.terminal = np.array([k in "GX" for k in self.kind])
        self.n_states, self.n_actions = len(self.cells), len(ACTIONS)
        self._outcomes = [[self._outcomes_of(s, a) for a in range(self.n_actions)] for s in range(self.n_states)]

    def _move(self, s: int, a: int) -> int:
        (r, c), (dr, dc) = self.cells[s], MOVES[a]
        return self.index.get((r + dr, c + dc), s)

    def _outcomes_of(self, s: int, a: int) -> list[tuple[float, int, float]]:
        """(probability, next state, reward) for each way action `a` can turn out in state `s`."""
        if self.terminal[s]:
            return [(1.0, s, 0.0)]
        directions = [(1.0 - self.slip, a)]
        if self.slip > 0:
            directions += [(self.slip / 2, (a + 1) % 4), (self.slip / 2, (a + 3) % 4)]
        outcomes = []
        for p, d in directions:
            nxt = self._move(s, d)
            kind = self.kind[nxt]
            reward = self.rewards["C"] if kind == "C" else self.rewards["step"] + self.rewards.get(kind, 0.0)
            outcomes.append((p, self.start if kind == "C" else nxt, reward))
        return outcomes

    def model(self) -> tuple[np.ndarray, np.ndarray]:
        """The exact model: `P[s, a, s2]` = P(s2 | s, a) and `R[s, a]` = the expected reward of taking a in s."""
        P = np.zeros((self.n_states, self.n_actions, self.n_states))
        R = np.zeros((self.n_states, self.n_actions))
        for s in range(self.n_states):
            for a in range(self.n_actions):
                for p, nxt, reward in self._outcomes[s][a]:
                    P[s, a, nxt] += p
                    R[s, a] += p * reward
        return P, R

    def reset(self) -> int:
        return self.start

    def step(self, s: int, a: int, rng: np.random.Generator) -> tuple[int, float, bool]:
        """Sample one move: (next state, reward, whether the next state is terminal)."""
        if not 0 <= a < self.n_actions:
            raise ValueError(f"action must be 0..{self.n_actions - 1}, got {a}")
        outcomes = self._outcomes[s][a]
        p, nxt, reward = outcomes[0] if len(outcomes) == 1 else outcomes[rng.choice(len(outcomes), p=[o[0] for o in outcomes])]
        return nxt, reward, bool(self.terminal[nxt])

    def shortest_path_lengths(self) -> np.ndarray:
        """Moves from each state to the nearest goal, ignoring slips, pits and cliffs (breadth-first search);
        inf where no goal can be reached. With no slip, step reward -1, goal reward 0 and no pits or cliffs on the
        way, the optimal undiscounted value of a state is minus this length."""
        dist = np.full(self.n_states, np.inf)
        frontier = [s for s in range(self.n_states) if self.kind[s] == "G"]
        dist[frontier] = 0
        while frontier:
            nxt_frontier = []
            for s in frontier:
                for a in range(self.n_actions):
                    # states that reach s in one move: walk backwards by moving in the opposite direction
                    prev = self._move(s, (a + 2) % 4)
                    if prev != s and not self.terminal[prev] and self.kind[prev] != "C" and dist[prev] == np.inf:
                        dist[prev] = dist[s] + 1
                        nxt_frontier.append(prev)
            frontier = nxt_frontier
        return dist

    def follows_shortest_paths(self, policy: np.ndarray) -> bool:
        """Whether, ignoring slips, every state that can reach a goal moves one step closer to it under `policy`:
        with no slip and a cost per move, exactly the optimal policies."""
        dist = self.shortest_path_lengths()
        return all(dist[self._move(s, int(policy[s]))] == dist[s] - 1
                   for s in range(self.n_states) if not self.terminal[s] and np.isfinite(dist[s]) and dist[s] > 0)

    def greedy_path_length(self, policy: np.ndarray) -> float:
        """Moves from the start to a terminal state following `policy` without slips; inf if it never gets there."""
        s, moves = self.start, 0
        while not self.terminal[s] and moves < self.n_states:
            s, moves = self._move(s, int(policy[s])), moves + 1
        return moves if self.terminal[s] else np.inf

    def render(self, policy: np.ndarray) -> list[str]:
        """The map with each non-terminal state's action drawn as an arrow."""
        grid = [list(row) for row in self.layout]
        for s, (r, c) in enumerate(self.cells):
            if not self.terminal[s] and self.kind[s] != "C":
                grid[r][c] = ARROWS[int(policy[s])]
        return ["".join(row) for row in grid]
