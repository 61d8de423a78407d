"""Review of submitted reports by admins: /reopen a report for editing."""
