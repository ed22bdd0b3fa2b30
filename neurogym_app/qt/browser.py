"""The task browser: every registered task, searchable, with its description, spaces and keys."""

from __future__ import annotations

import html
from typing import Any

from PyQt6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from PyQt6.QtGui import QStandardItem, QStandardItemModel
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.core import registry

__all__ = ["TaskBrowser", "TaskFilterModel", "task_details_html"]

ID_ROLE = Qt.ItemDataRole.UserRole + 1
TEXT_ROLE = Qt.ItemDataRole.UserRole + 2
TAGS_ROLE = Qt.ItemDataRole.UserRole + 3
ALL_TAGS = "all tags"


class TaskFilterModel(QSortFilterProxyModel):
    """Keeps tasks whose id, tags, group or description contain every word typed, and the chosen tag."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.tag: str | None = None

    def set_query(self, text: str) -> None:
        self.words = text.lower().split()
        self.invalidateFilter()

    def set_tag(self, tag: str | None) -> None:
        self.tag = tag if tag and tag != ALL_TAGS else None
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 (Qt naming)
        index = self.sourceModel().index(row, 0, parent)
        text = str(index.data(TEXT_ROLE) or "")
        tags = index.data(TAGS_ROLE) or []
        if self.tag is not None and self.tag not in tags:
            return False
        return all(w in text for w in self.words)


def _space_html(summary: dict[str, Any]) -> str:
    kind = summary.get("type", "?")
    dims = f"n={summary['n']}" if "n" in summary else f"shape={tuple(summary.get('shape', ()))}"
    parts = [f"<b>{html.escape(kind)}</b> {html.escape(dims)}"]
    names = summary.get("names") or {}
    if names:
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in names.items()
        )
        parts.append(f"<table cellspacing=0 cellpadding=2 border=1 style='border-color:#ccc'>{rows}</table>")
    return "".join(parts)


def _keymap_html(task_id: str) -> str:
    from neurogym_app.input.keymap import NotHumanPlayable, build_keymap
    from neurogym_app.input.keynames import display_name

    try:
        km = build_keymap(registry.make(task_id))
    except NotHumanPlayable as exc:
        return f"<i>not playable by people: {html.escape(str(exc))}</i>"
    except Exception as exc:  # a task whose key map cannot be derived: say why, keep browsing
        return f"<i>no default key map ({html.escape(type(exc).__name__)}: {html.escape(str(exc))})</i>"
    rows = []
    for b in km.bindings:
        keys = " or ".join(display_name(k) for k in b.keys)
        if b.angle is not None and km.pointer == "ring":
            keys = f"{keys} or click" if keys else "click on the ring"
        rows.append(f"<tr><td>{html.escape(b.name)}</td><td>{html.escape(keys)}</td></tr>")
    if km.pointer == "box":
        rows.append("<tr><td>position</td><td>pointer</td></tr>")
    rows.append(f"<tr><td>fixate</td><td>no key ({html.escape(km.mode)} mode)</td></tr>")
    return "<table cellspacing=0 cellpadding=2 border=1 style='border-color:#ccc'>" + "".join(rows) + "</table>"


def task_details_html(task_id: str) -> str:
    """The details pane of one task, as HTML."""
    from neurogym_app.core.describe import describe_task

    try:
        info = describe_task(task_id)
    except Exception as exc:  # a broken custom task: show the one-line reason
        return f"<h2>{html.escape(task_id)}</h2><p style='color:#a33'>{html.escape(str(exc))}</p>"
    out = [f"<h2 style='margin-bottom:2px'>{html.escape(task_id)}</h2>"]
    tags = info.get("tags") or []
    out.append(
        "<p>"
        + " ".join(f"<span style='background:#e3ecf8'>&nbsp;{html.escape(t)}&nbsp;</span>" for t in tags)
        + f" <span style='color:#777'>({html.escape(str(info.get('group', '')))})</span></p>"
    )
    if not info.get("available", True):
        out.append(f"<p style='color:#a33'>{html.escape(str(info.get('note')))}</p>")
        return "".join(out)
    if info.get("description"):
        out.append(f"<p>{html.escape(str(info['description']))}</p>")
    if info.get("paper_link"):
        name = info.get("paper_name") or info["paper_link"]
        out.append(f"<p><b>Paper:</b> <a href='{html.escape(info['paper_link'])}'>{html.escape(str(name))}</a></p>")
    out.append("<h3>Observation</h3>" + _space_html(info.get("observation_space", {})))
    out.append("<h3>Actions</h3>" + _space_html(info.get("action_space", {})))
    out.append("<h3>Default keys</h3>" + _keymap_html(task_id))
    if info.get("timing"):
        rows = "".join(
            f"<tr><td>{html.escape(p)}</td><td>{html.escape(str(s))}</td></tr>" for p, s in info["timing"].items()
        )
        presets = ", ".join(info.get("timing_presets") or {}) or "none"
        out.append(
            f"<h3>Timing (dt = {info.get('dt')} ms)</h3><table cellspacing=0 cellpadding=2 border=1 "
            f"style='border-color:#ccc'>{rows}</table><p>presets: {html.escape(presets)}</p>"
        )
    if info.get("rewards"):
        out.append("<h3>Rewards</h3><p>" + html.escape(", ".join(f"{k}: {v}" for k, v in info["rewards"].items())) + "</p>")
    return "".join(out)


class TaskBrowser(QWidget):
    """Searchable list of every registered task; double-click opens the inspector.

    Signals: ``task_selected(id)``, ``inspect_requested(id)``, ``play_requested(id)``.
    """

    task_selected = pyqtSignal(str)
    inspect_requested = pyqtSignal(str)
    play_requested = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search: id, tag, description...")
        self.search.setClearButtonEnabled(True)
        self.tags = QComboBox()
        self.model = QStandardItemModel(self)
        self.proxy = TaskFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)
        self.count = QLabel()
        self.details = QTextBrowser()
        self.details.setOpenExternalLinks(True)
        self.inspect_button = QPushButton("Inspect periods")
        self.play_button = QPushButton("Play")
        self.inspect_button.setToolTip("Open the period inspector on this task (or double-click it)")
        self.play_button.setToolTip("Open this task in the Play view")

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.tags)
        lv.addLayout(row)
        lv.addWidget(self.list, 1)
        lv.addWidget(self.count)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.details, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.inspect_button)
        buttons.addWidget(self.play_button)
        rv.addLayout(buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([380, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.search.textChanged.connect(self._filter)
        self.tags.currentTextChanged.connect(self._tag)
        self.list.selectionModel().currentChanged.connect(self._current)
        self.list.doubleClicked.connect(lambda idx: self.inspect_requested.emit(str(idx.data(ID_ROLE))))
        self.inspect_button.clicked.connect(lambda: self._emit(self.inspect_requested))
        self.play_button.clicked.connect(lambda: self._emit(self.play_requested))
        self.reload()

    # ------------------------------------------------------------ content
    def reload(self) -> None:
        """(Re)list every registered task."""
        self.model.clear()
        all_tags: set[str] = set()
        for task_id, entry in sorted(registry.entries().items(), key=lambda kv: kv[0].lower()):
            try:
                meta = registry.task_metadata(task_id) if entry.available else {}
            except Exception:  # a task module that fails to import is still listed
                meta = {}
            tags = list(meta.get("tags") or [])
            all_tags.update(tags)
            item = QStandardItem(task_id)
            item.setData(task_id, ID_ROLE)
            item.setData(tags, TAGS_ROLE)
            text = " ".join([task_id, entry.group, *tags, str(meta.get("description") or ""), str(meta.get("paper_name") or "")])
            item.setData(text.lower(), TEXT_ROLE)
            tip = ", ".join(tags) if tags else entry.group
            if not entry.available:
                item.setForeground(Qt.GlobalColor.gray)
                tip = entry.note or "unavailable"
            item.setToolTip(tip)
            self.model.appendRow(item)
        current = self.tags.currentText()
        self.tags.blockSignals(True)
        self.tags.clear()
        self.tags.addItems([ALL_TAGS, *sorted(all_tags)])
        if current:
            self.tags.setCurrentText(current)
        self.tags.blockSignals(False)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} tasks")

    def _filter(self, text: str) -> None:
        self.proxy.set_query(text)
        self._update_count()
        if self.proxy.rowCount() and not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _tag(self, tag: str) -> None:
        self.proxy.set_tag(tag)
        self._update_count()

    def _current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        task_id = str(current.data(ID_ROLE))
        self.details.setHtml(task_details_html(task_id))
        self.task_selected.emit(task_id)

    def _emit(self, signal: Any) -> None:
        task_id = self.current_task()
        if task_id:
            signal.emit(task_id)

    # ------------------------------------------------------------ public
    def visible_tasks(self) -> list[str]:
        return [str(self.proxy.index(r, 0).data(ID_ROLE)) for r in range(self.proxy.rowCount())]

    def current_task(self) -> str | None:
        idx = self.list.currentIndex()
        return str(idx.data(ID_ROLE)) if idx.isValid() else None

    def select_task(self, task_id: str) -> bool:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if idx.data(ID_ROLE) == task_id:
                self.list.setCurrentIndex(idx)
                self.list.scrollTo(idx)
                return True
        return False
