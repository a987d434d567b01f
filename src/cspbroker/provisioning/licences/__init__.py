"""Licence assignment (U3): a tenant's purchased seats handed to its users, at the provider.

A Django app of its own inside provisioning, so that the huey consumer finds its `tasks` module
(djhuey imports `<app>.tasks` of every installed app) without provisioning's own modules changing.
It sits above subscriptions (the seats are counted from them) and tenants (the users).
"""
