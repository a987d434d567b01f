"""Partner Center activity (audit) records (reference §2.7): how we notice changes made directly in
Partner Center or the admin centre. Microsoft recommends querying one day at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cspbroker.providers.paging import iterate_seek
from cspbroker.providers.parsing import as_list, as_mapping, as_str, decode_json, opt_datetime, opt_str
from cspbroker.providers.partnercenter.common import ApiBase

__all__ = ["AuditApi", "AuditFilter", "AuditRecord"]


@dataclass(frozen=True)
class AuditFilter:
    """`field` is CustomerId, CompanyName or ResourceType; `operator` is equals or substring."""

    field: str
    value: str
    operator: str = "equals"

    def to_query(self) -> str:
        return json.dumps({"Field": self.field, "Value": self.value, "Operator": self.operator})


@dataclass(frozen=True)
class AuditRecord:
    id: str | None
    customer_id: str | None
    customer_name: str | None
    user_principal_name: str | None
    application_id: str | None
    resource_type: str
    operation_type: str
    operation_status: str
    operation_date: datetime | None
    resource_old_value: str | None
    resource_new_value: str | None
    customized_data: Mapping[str, str]

    def old_value(self) -> Any:
        """`resourceOldValue` decoded (it is a JSON document inside a string), or None."""
        return _decode(self.resource_old_value)

    def new_value(self) -> Any:
        return _decode(self.resource_new_value)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditRecord:
        custom = {
            as_str(as_mapping(pair).get("key")): as_str(as_mapping(pair).get("value"))
            for pair in as_list(data.get("customizedData"))
        }
        return cls(
            id=opt_str(data.get("id")),
            customer_id=opt_str(data.get("customerId")),
            customer_name=opt_str(data.get("customerName")),
            user_principal_name=opt_str(data.get("userPrincipalName")),
            application_id=opt_str(data.get("applicationId")),
            resource_type=as_str(data.get("resourceType")),
            operation_type=as_str(data.get("operationType")),
            operation_status=as_str(data.get("operationStatus")),
            operation_date=opt_datetime(data.get("operationDate")),
            resource_old_value=opt_str(data.get("resourceOldValue")),
            resource_new_value=opt_str(data.get("resourceNewValue")),
            customized_data=custom,
        )


def _decode(value: str | None) -> Any:
    if not value:
        return None
    try:
        return decode_json(value.encode())
    except ValueError:
        return None


class AuditApi(ApiBase):
    def list_audit_records(
        self,
        *,
        start_date: date,
        end_date: date | None = None,
        filter: AuditFilter | None = None,
        page_size: int = 500,
    ) -> Iterator[AuditRecord]:
        params = {
            "startDate": start_date.isoformat(),
            "endDate": end_date.isoformat() if end_date is not None else None,
            "size": page_size,
            "filter": filter.to_query() if filter is not None else None,
        }
        return iterate_seek(self._http, "/v1/auditrecords", AuditRecord.from_json, params=params)
