"""The Sessions view: browse the sessions folder and open a run for replay or comparison.

A sweep folder (``neurogym-app sweep --out DIR``), or a sessions folder with
sweeps below it, also lists the sweeps' agents in a second table: task,
model, size, seed, held-out accuracy per timing, psychometric threshold and
slope, status. Selected agents go to the Compare view as their recorded runs,
next to people's sessions; each row's tooltip names its agent folder (the
folder ``run-agent`` and ``play --against`` take).
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from neurogym_app.agents.sweep_folder import SESSIONS_DIR, SweepAgent, SweepError, SweepInfo, find_sweeps, read_sweep
from neurogym_app.analysis.catalog import SessionInfo, scan_sessions

__all__ = ["SessionTableModel", "SweepAgentTableModel", "SessionsView"]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


class _ColumnsModel(QAbstractTableModel):
    """A read-only table with fixed ``COLUMNS``; subclasses give ``_count()`` and ``data()``."""

    COLUMNS: tuple[str, ...] = ()

    def _count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt naming)
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None


class SessionTableModel(_ColumnsModel):
    """One row per run folder: task, participant, player kind, trials, accuracy, date, status."""

    COLUMNS = ("Task", "Participant", "Player", "Trials", "Accuracy", "Date", "Status", "Linked", "Folder")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.infos: list[SessionInfo] = []

    def set_infos(self, infos: list[SessionInfo]) -> None:
        self.beginResetModel()
        self.infos = list(infos)
        self.endResetModel()

    def _count(self) -> int:
        return len(self.infos)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.infos[index.row()]
        col = index.column()
        if role == PATH_ROLE:
            return str(info.path)
        acc = info.accuracy
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                info.task,
                info.participant,
                info.kind,
                str(info.n_trials),
                f"{acc:.1%}" if acc is not None and math.isfinite(acc) else "",
                info.date,
                info.status,
                ", ".join(label for label, _ in info.links),
                info.name,
            )[col]
        if role == SORT_ROLE:
            return (
                info.task.lower(),
                info.participant.lower(),
                info.kind,
                info.n_trials,
                acc if acc is not None else -1.0,
                info.start_time,
                info.status,
                ", ".join(label for label, _ in info.links),
                info.name,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 7 and info.links:
                return "Double-click to replay the linked run:\n" + "\n".join(f"{label}: {p}" for label, p in info.links)
            return info.error or str(info.path)
        if role == Qt.ItemDataRole.ForegroundRole and info.status in ("damaged", "error"):
            return QColor(170, 40, 40)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _percent(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else ""


def _number(value: float | None) -> str:
    return f"{value:.3g}" if value is not None else ""


class SweepAgentTableModel(_ColumnsModel):
    """One row per point of the sweeps found: the agent, its accuracy and psychometric fit."""

    COLUMNS = ("Sweep", "Task", "Model", "Hidden", "Seed", "Accuracy (default)", "Accuracy (human)", "Threshold", "Slope", "Status")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[SweepInfo, SweepAgent]] = []

    def set_sweeps(self, sweeps: list[SweepInfo]) -> None:
        self.beginResetModel()
        self.rows = [(sweep, agent) for sweep in sweeps for agent in sweep.agents]
        self.endResetModel()

    def _count(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sweep, a = self.rows[index.row()]
        col = index.column()
        if role == PATH_ROLE:
            return str(a.session_path) if a.session_path is not None else ""
        if role == Qt.ItemDataRole.DisplayRole:
            status = a.status if a.status != "failed" else f"failed: {a.error}"
            return (sweep.name, a.task, a.model, str(a.hidden), str(a.seed), _percent(a.accuracy_default),
                    _percent(a.accuracy_human), _number(a.threshold), _number(a.slope), status)[col]
        if role == SORT_ROLE:
            def num(v: float | None) -> float:
                return v if v is not None else -1.0

            return (sweep.name, a.task.lower(), a.model, a.hidden, a.seed, num(a.accuracy_default), num(a.accuracy_human),
                    num(a.threshold), num(a.slope), a.status)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if a.status != "ok":
                return a.error or a.status
            return f"agent folder: {a.agent_path}\nrecorded run: {a.session_path}"
        if role == Qt.ItemDataRole.ForegroundRole and a.status != "ok":
            return QColor(170, 40, 40)
        if role == Qt.ItemDataRole.TextAlignmentRole and 3 <= col <= 8:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_query(self, text: str) -> None:
        self.words = text.lower().split()
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        text = " ".join(str(model.index(row, c, parent).data() or "") for c in range(model.columnCount())).lower()
        return all(w in text for w in self.words)


class SessionsView(QWidget):
    """Browse ``root``; signals ``replay_requested(path)`` and ``compare_requested(paths)``."""

    replay_requested = pyqtSignal(str)
    compare_requested = pyqtSignal(list)
    root_changed = pyqtSignal(str)

    def __init__(self, root: str | Path = "sessions", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root = Path(root)
        self.model = SessionTableModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.root_label = QLabel()
        self.search = QLineEdit(placeholderText="Filter: task, participant, player...")
        self.search.setClearButtonEnabled(True)
        self.change_button = QPushButton("Folder...")
        self.refresh_button = QPushButton("Refresh")
        self.replay_button = QPushButton("Replay")
        self.compare_button = QPushButton("Add to comparison")
        self.count = QLabel()
        self.links_label = QLabel()  # the selected run's linked runs (play --against), as links that open them
        self.links_label.setTextFormat(Qt.TextFormat.RichText)
        self.links_label.setVisible(False)
        self.sweep_model = SweepAgentTableModel(self)
        self.sweep_proxy = _Filter(self)
        self.sweep_proxy.setSourceModel(self.sweep_model)
        self.agents_table = QTableView()
        self.agents_table.setModel(self.sweep_proxy)
        self.agents_table.setSortingEnabled(True)
        self.agents_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agents_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.agents_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agents_table.setAlternatingRowColors(True)
        self.agents_table.verticalHeader().setVisible(False)
        agents_header = self.agents_table.horizontalHeader()
        agents_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        agents_header.setStretchLastSection(True)
        self.agents_label = QLabel()
        self.compare_agents_button = QPushButton("Compare selected agents")
        self.sweep_errors: list[str] = []
        self.sweeps: list[SweepInfo] = []

        top = QHBoxLayout()
        top.addWidget(QLabel("Sessions in"))
        top.addWidget(self.root_label, 1)
        top.addWidget(self.change_button)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.replay_button)
        bottom.addWidget(self.compare_button)
        self.agents_box = QWidget()
        agents_layout = QVBoxLayout(self.agents_box)
        agents_layout.setContentsMargins(0, 0, 0, 0)
        agents_row = QHBoxLayout()
        agents_row.addWidget(self.agents_label, 1)
        agents_row.addWidget(self.compare_agents_button)
        agents_layout.addLayout(agents_row)
        agents_layout.addWidget(self.agents_table)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.links_label)
        layout.addLayout(bottom)
        layout.addWidget(self.agents_box, 2)

        self.search.textChanged.connect(self._filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.change_button.clicked.connect(self._choose_root)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_links())
        self.links_label.linkActivated.connect(self.open_link)
        self.replay_button.clicked.connect(self._replay)
        self.compare_button.clicked.connect(self._compare)
        self.compare_agents_button.clicked.connect(self._compare_agents)
        self.agents_table.doubleClicked.connect(lambda idx: self._emit_compare([str(idx.data(PATH_ROLE))]))
        self.refresh()

    # ------------------------------------------------------------ content
    def set_root(self, root: str | Path) -> None:
        self.root = Path(root)
        self.refresh()
        self.root_changed.emit(str(self.root))

    def refresh(self) -> list[SessionInfo]:
        infos = scan_sessions(self.root)
        self._refresh_sweeps()
        seen = {i.path.resolve() for i in infos}
        for sweep in self.sweeps:  # a sweep's recorded runs, however deep the sweep sits below the root
            extra = [i for i in scan_sessions(sweep.path / SESSIONS_DIR) if i.path.resolve() not in seen]
            seen.update(i.path.resolve() for i in extra)
            infos.extend(extra)
        infos.sort(key=lambda i: (i.start_time, str(i.path)), reverse=True)
        self.model.set_infos(infos)
        self.root_label.setText(str(self.root.resolve()) if self.root.exists() else f"{self.root} (does not exist yet)")
        self._update_count()
        return infos

    def _refresh_sweeps(self) -> None:
        sweeps: list[SweepInfo] = []
        self.sweep_errors = []
        for folder in find_sweeps(self.root):
            try:
                sweeps.append(read_sweep(folder))
            except SweepError as exc:  # a damaged sweep: name it, list the others
                self.sweep_errors.append(str(exc))
        self.sweeps = sweeps
        self.sweep_model.set_sweeps(sweeps)
        n = self.sweep_model.rowCount()
        ok = sum(1 for _, a in self.sweep_model.rows if a.status == "ok")
        text = f"<b>Agents of {len(sweeps)} sweep(s)</b>: {ok} trained" + (f", {n - ok} failed" if n > ok else "")
        text += " - select and compare their recorded runs with people's sessions"
        if self.sweep_errors:
            text += "<br><span style='color:#a33'>" + "; ".join(self.sweep_errors) + "</span>"
        self.agents_label.setText(text)
        self.agents_box.setVisible(bool(sweeps or self.sweep_errors))

    def _update_count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} sessions")

    def _filter(self, text: str) -> None:
        self.proxy.set_query(text)
        self.sweep_proxy.set_query(text)
        self._update_count()

    def _choose_root(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Sessions folder", str(self.root))
        if chosen:
            self.set_root(chosen)

    # ------------------------------------------------------------ selection
    def visible_paths(self) -> list[str]:
        return [str(self.proxy.index(r, 0).data(PATH_ROLE)) for r in range(self.proxy.rowCount())]

    def selected_paths(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [str(self.proxy.index(r, 0).data(PATH_ROLE)) for r in rows]

    def select_rows(self, rows: list[int]) -> None:
        self.table.clearSelection()
        sel = self.table.selectionModel()
        for r in rows:
            sel.select(self.proxy.index(r, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    def _info_at(self, proxy_row: int) -> SessionInfo:
        return self.model.infos[self.proxy.mapToSource(self.proxy.index(proxy_row, 0)).row()]

    def _double_clicked(self, index: QModelIndex) -> None:
        """Replay the run; on the Linked column, replay the (first) linked run instead."""
        info = self._info_at(index.row())
        if index.column() == self.model.COLUMNS.index("Linked") and info.links:
            self.open_link(str(info.links[0][1]))
        else:
            self.replay_requested.emit(str(info.path))

    def _show_links(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        links = self._info_at(rows[0]).links if len(rows) == 1 else ()
        if links:
            items = ", ".join(f"<a href='{html.escape(str(p), quote=True)}'>{html.escape(label)}</a>" for label, p in links)
            self.links_label.setText(f"Linked runs (the same trials): {items}")
        self.links_label.setVisible(bool(links))

    def open_link(self, path: str) -> None:
        """Select the linked run ``path`` in the table (if listed) and ask to replay it."""
        target = Path(path).resolve()
        for r in range(self.proxy.rowCount()):
            if self._info_at(r).path.resolve() == target:
                self.select_rows([r])
                self.table.scrollTo(self.proxy.index(r, 0))
                break
        self.replay_requested.emit(str(path))

    def _replay(self) -> None:
        paths = self.selected_paths()
        if paths:
            self.replay_requested.emit(paths[0])

    def _compare(self) -> None:
        paths = self.selected_paths()
        if paths:
            self.compare_requested.emit(paths)

    def selected_agents(self) -> list[SweepAgent]:
        rows = sorted({i.row() for i in self.agents_table.selectionModel().selectedRows()})
        return [self.sweep_model.rows[self.sweep_proxy.mapToSource(self.sweep_proxy.index(r, 0)).row()][1] for r in rows]

    def select_agent_rows(self, rows: list[int]) -> None:
        self.agents_table.clearSelection()
        sel = self.agents_table.selectionModel()
        for r in rows:
            sel.select(self.sweep_proxy.index(r, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    def _emit_compare(self, paths: list[str]) -> None:
        paths = [p for p in paths if p]
        if paths:
            self.compare_requested.emit(paths)

    def _compare_agents(self) -> None:
        self._emit_compare([str(a.session_path) for a in self.selected_agents() if a.session_path is not None])
