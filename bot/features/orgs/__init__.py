"""/org: an organization within the admin's scope, its profile and the chair's handover."""
