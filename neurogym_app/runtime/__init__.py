"""The session runtime: clock, Display protocol, tick runner, players (person, simulated, replay) and the run builder."""
