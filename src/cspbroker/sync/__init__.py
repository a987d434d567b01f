"""Bringing the provider's state in: linking an existing tenant (T3) and syncing a tenant's directory.

It sits above subscriptions, tenants and catalog because one sync writes all three in one
transaction (subscriptions, users, licence assignments, the catalog's licence SKU ids), and below
provisioning and the entry points, which call it.
"""
