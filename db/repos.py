"""All repositories over one database, built once and put into the dispatcher's data."""
from __future__ import annotations

from db.database import Database
from db.queries.admins import AdminsRepo
from db.queries.audit import AuditRepo
from db.queries.broadcasts import BroadcastsRepo
from db.queries.dashboard import DashboardRepo
from db.queries.dialogs import DialogsRepo
from db.queries.inbox import InboxRepo
from db.queries.joins import JoinsRepo
from db.queries.orgs import OrgsRepo
from db.queries.reports import ReportsRepo
from db.queries.sent import SentRepo
from db.queries.stats import StatsRepo
from db.queries.users import UsersRepo


class Repos:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = UsersRepo(db)
        self.orgs = OrgsRepo(db)
        self.reports = ReportsRepo(db)
        self.stats = StatsRepo(db)
        self.sent = SentRepo(db)
        self.admins = AdminsRepo(db)
        self.joins = JoinsRepo(db)
        self.audit = AuditRepo(db)
        self.broadcasts = BroadcastsRepo(db)
        self.inbox = InboxRepo(db)
        self.dialogs = DialogsRepo(db)
        # Month figures with like-for-like changes, kept between digests (the Mini App keeps its own).
        self.figures = DashboardRepo(db)
