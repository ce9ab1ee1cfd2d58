"""rewardd: verifiable rewards for RL training of reasoning models."""

__version__ = "0.1.0"
