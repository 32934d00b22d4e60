"""Reinforcement learning: a gridworld, planning with its model, and learning from samples."""
