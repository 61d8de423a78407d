"""This process's place in a cluster: its role and its name among the others (no bot imports here,
so the Telegram plumbing may ask)."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

CLUSTER_KEY = "cluster"  # app.extra and the dispatcher's workflow data; absent with --role all


class Role(StrEnum):
    WEB = "web"
    WORKER = "worker"
    ALL = "all"


@dataclass(frozen=True)
class Cluster:
    role: Role
    node: str  # host, pid and a random tail: a restarted process (even with the same pid) is another node
    duties: Any  # the leader's hooks, an aiogram Dispatcher (bot/cluster/roles.py)


def new_node() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def cluster_in(data: dict[str, Any]) -> Cluster | None:
    """The Cluster of a web or worker process in `data` (app.extra or workflow data), else None."""
    cluster = data.get(CLUSTER_KEY)
    return cluster if isinstance(cluster, Cluster) else None
