from ninja import Router

invoices = Router(tags=["invoices"])
router = Router(tags=["billing"])
