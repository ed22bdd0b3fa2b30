"""Clock, tick runner, recorder/reader/replay, metrics, export and experiment flow."""
