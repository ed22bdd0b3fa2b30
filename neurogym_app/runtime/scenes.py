"""The runner's SceneSource built on ``neurogym_app.stimuli`` views.

Every frame of a trial becomes ``view.scene(StepState(...))``; between trials
``feedback_scene`` and a blank scene; before the first trial the controls
(``instruction_scene``). The caption of every trial frame lists the keys.
"""

from __future__ import annotations

from typing import Any, cast

from neurogym_app.input.keymap import KeyMap
from neurogym_app.stimuli.scene import Scene, Text, Units
from neurogym_app.stimuli.views import StepState, feedback_scene, instruction_scene, key_caption, make_view

__all__ = ["StimulusScenes"]


class StimulusScenes:
    """Scenes of ``env`` drawn with its ``view_kind`` (``"natural"`` or ``"agent"``) view."""

    def __init__(
        self,
        env: Any,
        keymap: KeyMap,
        view_kind: str = "natural",
        *,
        geometry: Any = None,
        background: Any = None,
        feedback_texts: dict[str, str] | None = None,
        show_reward: bool = False,
        title: str | None = None,
    ) -> None:
        self.task = getattr(env, "unwrapped", env)
        self.keymap = keymap
        caption = key_caption({b.name: list(b.keys) for b in keymap.bindings if b.keys}) or None
        options: dict[str, Any] = {"caption": caption}
        if background is not None:
            options["background"] = background
        self.view = make_view(env, view_kind, geometry, **options)
        self.view_kind = getattr(self.view, "kind", view_kind)
        self.background = self.view.background
        self.units = cast(Units, self.view.units)  # a view draws in "deg" or "pix"
        self.feedback_texts = dict(feedback_texts or {})
        self.show_reward = show_reward
        self.title = title
        self._action_names = getattr(self.task.action_space, "name", None)
        self._obs_names = getattr(self.task.observation_space, "name", None)
        self._blank = Scene((), background=self.background, units=self.units)

    def step(self, *, ob: Any, trial: dict, period: str | None, t_ms: float, frame_s: float) -> Scene:
        state = StepState(
            ob=ob,
            trial=trial,
            period=period,
            t_ms=t_ms,
            frame_s=frame_s,
            feedback=None,
            action_space_names=self._action_names,
            obs_space_names=self._obs_names,
        )
        return self.view.scene(state)

    def feedback(self, outcome: str, reward: float | None = None) -> Scene:
        text = self.feedback_texts.get(outcome)
        scene = feedback_scene(
            outcome, reward=reward if self.show_reward else None, background=self.background, units=self.units
        )
        if text is not None and scene.items and isinstance(scene.items[0], Text):  # the outcome's caption
            from dataclasses import replace

            first = replace(scene.items[0], text=text)
            scene = replace(scene, items=(first, *scene.items[1:]))
        return scene

    def blank(self) -> Scene:
        return self._blank

    def message(self, text: str) -> Scene:
        lines = text.replace(" | ", "\n")
        return instruction_scene(lines, title=self.title, background=self.background, units=self.units)
