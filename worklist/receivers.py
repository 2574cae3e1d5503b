"""Notifications for work that reaches someone where the workflow's own service does not send one."""
