"""The Sessions view: browse the sessions folder and open a run for replay or comparison."""

from __future__ import annotations

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

from neurogym_app.analysis.catalog import SessionInfo, scan_sessions

__all__ = ["SessionTableModel", "SessionsView"]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


class SessionTableModel(QAbstractTableModel):
    """One row per run folder: task, participant, player kind, trials, accuracy, date, status."""

    COLUMNS = ("Task", "Participant", "Player", "Trials", "Accuracy", "Date", "Status", "Folder")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.infos: list[SessionInfo] = []

    def set_infos(self, infos: list[SessionInfo]) -> None:
        self.beginResetModel()
        self.infos = list(infos)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt naming)
        return 0 if parent.isValid() else len(self.infos)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

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
                info.name,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return info.error or str(info.path)
        if role == Qt.ItemDataRole.ForegroundRole and info.status in ("damaged", "error"):
            return QColor(170, 40, 40)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4):
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

        top = QHBoxLayout()
        top.addWidget(QLabel("Sessions in"))
        top.addWidget(self.root_label, 1)
        top.addWidget(self.change_button)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.replay_button)
        bottom.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.search.textChanged.connect(self._filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.change_button.clicked.connect(self._choose_root)
        self.table.doubleClicked.connect(lambda idx: self.replay_requested.emit(str(idx.data(PATH_ROLE))))
        self.replay_button.clicked.connect(self._replay)
        self.compare_button.clicked.connect(self._compare)
        self.refresh()

    # ------------------------------------------------------------ content
    def set_root(self, root: str | Path) -> None:
        self.root = Path(root)
        self.refresh()
        self.root_changed.emit(str(self.root))

    def refresh(self) -> list[SessionInfo]:
        infos = scan_sessions(self.root)
        self.model.set_infos(infos)
        self.root_label.setText(str(self.root.resolve()) if self.root.exists() else f"{self.root} (does not exist yet)")
        self._update_count()
        return infos

    def _update_count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} sessions")

    def _filter(self, text: str) -> None:
        self.proxy.set_query(text)
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

    def _replay(self) -> None:
        paths = self.selected_paths()
        if paths:
            self.replay_requested.emit(paths[0])

    def _compare(self) -> None:
        paths = self.selected_paths()
        if paths:
            self.compare_requested.emit(paths)
