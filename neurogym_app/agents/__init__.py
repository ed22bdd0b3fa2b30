"""RNN agents (PyTorch, imported lazily), policies and the agent player."""
