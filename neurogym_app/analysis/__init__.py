"""Analysis of recorded and live sessions: the trial table, metrics, the session catalogue and comparison."""
