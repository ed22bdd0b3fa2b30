"""`neurogym-app run-agent AGENT --trials N --out DIR`: record a trained agent playing a task.

The run is saved in the session format of human runs (manifest player kind
``agent``), plus the agent's hidden state and action probabilities at every
step. ``--match SESSION`` gives the agent exactly the trials that a recorded
session faced (same task settings, each trial rebuilt from its variables).
"""

from __future__ import annotations

import argparse
import sys

from neurogym_app.config.limits import MAX_TRIALS, check_trial_count
from neurogym_app.errors import UserError


class RunAgentError(UserError):
    """A bad run-agent option."""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "run-agent",
        help="record a trained agent playing a task (same session format as people)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("agent", metavar="AGENT", help="agent folder, or a name under sessions/agents/ or assets/agents/")
    p.add_argument("--task", help="task id (default: the agent's task; with --match: the session's)")
    p.add_argument("--trials", type=int, metavar="N", help=f"number of trials, 1 to {MAX_TRIALS} (default 100; with --match: all of the session's)")
    p.add_argument("--seed", type=int, metavar="S", help="env seed (default: fresh, recorded in the manifest)")
    p.add_argument("--timing", choices=("default", "human"), help="timing preset (default: what the agent trained on; mixed -> human)")
    p.add_argument("--match", metavar="SESSION", help="play exactly the trials of this recorded session")
    p.add_argument("--sample", action="store_true", help="sample actions from the policy instead of taking the most probable")
    p.add_argument("--policy-seed", type=int, metavar="S", help="seed of the action sampling (with --sample)")
    p.add_argument("--out", metavar="DIR", default="sessions", help="sessions root (default sessions/)")
    p.add_argument("--session", type=int, default=1, metavar="N", help="session number (default 1)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from neurogym_app.agents.loading import load_agent
    from neurogym_app.agents.player import matched_trials, run_agent

    problem = check_trial_count(args.trials, "--trials")
    if problem:
        raise RunAgentError(problem)
    if args.match and args.timing:
        raise RunAgentError("--timing cannot be combined with --match (the matched session's timing is used)")
    agent = load_agent(args.agent)
    trials = args.trials
    if args.match:
        _, recorded = matched_trials(args.match)
        trials = trials or len(recorded)
    trials = trials or 100

    def started(path) -> None:
        print(f"recording {trials} trial(s) of {agent.name} in {path}", file=sys.stderr)

    result = run_agent(
        agent,
        trials=trials,
        out=args.out,
        task=args.task,
        seed=args.seed,
        timing=args.timing,
        match=args.match,
        greedy=not args.sample,
        policy_seed=args.policy_seed,
        session=args.session,
        on_start=started,
    )
    n = len(result.rows)
    correct = sum(int(r.get("correct") or 0) for r in result.rows)
    print(f"done: {n} trial(s), {correct / max(n, 1):.1%} correct; saved in {result.path}")
    return 0
