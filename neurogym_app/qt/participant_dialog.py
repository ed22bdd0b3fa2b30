"""The participant dialog: id, session and the experiment's optional fields (Qt).

``ParticipantDialog(fields)`` shows one row per field; OK checks every value
with ``experiment.screens.validate_participant`` and, if one is wrong, shows the
one-line reason under the form and stays open. ``ask_participant(...)``
runs it modally and returns a :class:`~neurogym_app.experiment.screens.ParticipantInfo`
(None when cancelled).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.experiment.screens import ParticipantError, ParticipantInfo, validate_participant

__all__ = ["ParticipantDialog", "ask_participant"]


class ParticipantDialog(QDialog):
    """Participant id, session number and the experiment's ``participant_fields``."""

    def __init__(self, fields: Sequence[Any] = (), *, title: str = "", session: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Participant - {title}" if title else "Participant")
        self.fields = list(fields)
        self.info: ParticipantInfo | None = None
        layout = QVBoxLayout(self)
        if title:
            head = QLabel(title)
            font = QFont(head.font())
            font.setPointSizeF(font.pointSizeF() * 1.3)
            font.setBold(True)
            head.setFont(font)
            layout.addWidget(head)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("e.g. P01 (letters, digits, . _ -)")
        self.id_edit.setObjectName("participant_id")
        form.addRow("Participant ID *", self.id_edit)
        self.session_spin = QSpinBox()
        self.session_spin.setRange(1, 999)
        self.session_spin.setValue(max(1, int(session)))
        self.session_spin.setObjectName("session")
        form.addRow("Session *", self.session_spin)
        self.editors: dict[str, QWidget] = {}
        for spec in self.fields:
            editor = self._editor(spec)
            editor.setObjectName(spec.name)
            if spec.help:
                editor.setToolTip(spec.help)
            self.editors[spec.name] = editor
            form.addRow(spec.shown + (" *" if spec.required else ""), editor)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        note = QLabel("* required. The ID names the session folder; the number in it sets the block order.")
        note.setStyleSheet("color: #666;")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.id_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _editor(self, spec: Any) -> QWidget:
        if spec.type == "choice":
            box = QComboBox()
            if not spec.required:
                box.addItem("")
            box.addItems(list(spec.choices))
            if spec.default is not None and str(spec.default) in spec.choices:
                box.setCurrentText(str(spec.default))
            return box
        edit = QLineEdit()
        if spec.default is not None:
            edit.setText(str(spec.default))
        if spec.type in ("int", "float"):
            lo = "" if spec.min is None else f"{spec.min:g}"
            hi = "" if spec.max is None else f"{spec.max:g}"
            kind = "whole number" if spec.type == "int" else "number"
            edit.setPlaceholderText(f"{kind} {lo}-{hi}".strip() if (lo or hi) else kind)
        return edit

    def values(self) -> dict[str, Any]:
        """The raw text of every optional field."""
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            out[name] = editor.currentText() if isinstance(editor, QComboBox) else editor.text()  # type: ignore[attr-defined]
        return out

    def validate(self) -> ParticipantInfo | None:
        """Check the form; on a problem show its one-line message and return None."""
        try:
            info = validate_participant(self.id_edit.text(), self.session_spin.value(), self.values(), self.fields)
        except ParticipantError as exc:
            self.error.setText(str(exc))
            return None
        self.error.setText("")
        return info

    def accept(self) -> None:
        info = self.validate()
        if info is None:
            return
        self.info = info
        super().accept()


def ask_participant(fields: Sequence[Any] = (), *, title: str = "", session: int = 1) -> ParticipantInfo | None:
    """Show the dialog modally; the checked participant, or None if cancelled."""
    from neurogym_app.stimuli.backends.qpainter import ensure_app

    ensure_app()
    dialog = ParticipantDialog(fields, title=title, session=session)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.info
    return None
