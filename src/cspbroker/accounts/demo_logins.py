"""The demo logins as plain data: the runner prints them before Django is set up."""

from cspbroker.domain.parties import Role

# (email, full name, role, organisation key, password)
LOGINS: list[tuple[str, str, Role, str, str]] = [
    ("admin@alpine-cloud.example", "Ada Lindner", Role.OPERATOR_ADMIN, "operator", "Operator-Demo-2026!"),
    ("admin@tailspin.example", "Tobias Keller", Role.RESELLER_ADMIN, "tailspin", "Reseller-Demo-2026!"),
    ("staff@tailspin.example", "Sara Stein", Role.RESELLER_STAFF, "tailspin", "Staff-Demo-2026!"),
    ("admin@woodgrove.example", "Grace Woods", Role.RESELLER_ADMIN, "woodgrove", "Reseller-Demo-2026!"),
    (
        "admin@adventureworks.example",
        "Anna Berg",
        Role.CUSTOMER_ADMIN,
        "adventureworks",
        "Customer-Demo-2026!",
    ),
    ("user@adventureworks.example", "Uwe Rad", Role.CUSTOMER_USER, "adventureworks", "User-Demo-2026!"),
    ("admin@litware.example", "Lena Hofmann", Role.CUSTOMER_ADMIN, "litware", "Customer-Demo-2026!"),
    ("admin@wingtip.example", "Walter Tip", Role.CUSTOMER_ADMIN, "wingtip", "Customer-Demo-2026!"),
    ("admin@northwind.example", "Nora Wind", Role.CUSTOMER_ADMIN, "northwind", "Customer-Demo-2026!"),
]

__all__ = ["LOGINS"]
