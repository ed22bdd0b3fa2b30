"""`neurogym-app list`: the registered tasks."""

from __future__ import annotations

import argparse
import json
import sys

from neurogym_app.core import registry


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("list", help="list the registered tasks")
    p.add_argument("--tag", help="only tasks with this tag (see `list --tags`)")
    p.add_argument("--tags", action="store_true", help="list the tags instead")
    p.add_argument("--json", action="store_true", help="print JSON: one object per task with its metadata")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    entries = registry.entries()
    if args.tags:
        tags = registry.all_tags()
        print(json.dumps(tags) if args.json else "\n".join(tags))
        return 0
    if args.tag is not None and args.tag not in registry.all_tags():
        raise registry.UnknownTaskError(f"unknown tag {args.tag!r}; run `neurogym-app list --tags` to see the tags")
    rows = []
    for task_id in sorted(entries):
        entry = entries[task_id]
        row = {"id": task_id, "group": entry.group, "available": entry.available}
        if entry.available:
            try:
                meta = registry.task_metadata(task_id)
            except registry.TaskImportError as exc:
                print(f"neurogym-app: {exc}", file=sys.stderr)
                row.update(available=False, note=str(exc))
                rows.append(row)
                continue
            if args.tag is not None and args.tag not in meta["tags"]:
                continue
            row.update({k: v for k, v in meta.items() if k not in ("id", "group", "render_modes")})
        else:
            if args.tag is not None:
                continue
            row["note"] = entry.note
        rows.append(row)
    if args.json:
        from neurogym_app.core.describe import jsonable

        print(json.dumps(jsonable(rows), indent=1))
        return 0
    width = max((len(r["id"]) for r in rows), default=10)
    for r in rows:
        if r.get("available"):
            tags = ", ".join(r.get("tags", []))
            print(f"{r['id']:<{width}}  {r['group']:<11}  {tags}")
        else:
            print(f"{r['id']:<{width}}  {r['group']:<11}  (unavailable: {r.get('note')})")
    return 0
